"""DeployService: record deploy events from CI/CD and list them."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import datetime
from typing import Any

from aisre.core.clock import utc_now
from aisre.incidents.model.deploy import Deploy
from aisre.incidents.ports import DeployStore


def new_deploy_id() -> str:
    return f"deploy-{secrets.token_hex(6)}"


class DeployService:
    def __init__(self, store: DeployStore, *, retention_days: int, clock: Callable[[], datetime] = utc_now):
        self._store = store
        self._retention_days = retention_days
        self._clock = clock

    def record(self, workspace_id: str, fields: dict[str, Any]) -> Deploy:
        deploy = Deploy(
            deploy_id=fields.get("deploy_id") or new_deploy_id(),
            workspace_id=workspace_id,
            timestamp=fields.get("timestamp") or self._clock(),
            **{key: value for key, value in fields.items() if key not in {"deploy_id", "timestamp", "workspace_id"}},
        )
        self._store.put_deploy(deploy, self._retention_days)
        return deploy

    def recent(self, workspace_id: str | None, limit: int, service: str | None) -> list[Deploy]:
        return self._store.recent_deploys(workspace_id, limit, service)
