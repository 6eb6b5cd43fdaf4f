"""API keys and tenancy: keys required but on /health and /metrics, scoped keys see only their workspace."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from aisre.core.auth import hash_key
from tests.integration.test_alert_to_incident import ALERT

ADMIN, ACME, GLOBEX = "admin-key-1", "acme-key-2", "globex-key-3"


@pytest.fixture(scope="module")
def secured(serve_with_settings) -> Iterator[str]:  # type: ignore[no-untyped-def]
    keys = f"{ADMIN},sha256:{hash_key(ACME)}:ws-acme,{GLOBEX}:ws-globex"
    with serve_with_settings(api_keys=keys) as url:
        yield url


def test_health_and_metrics_are_open_everything_else_needs_a_key(secured: str):
    with httpx.Client(timeout=60, base_url=secured) as anonymous:
        assert anonymous.get("/health").status_code == 200
        assert anonymous.get("/metrics").status_code == 200
        missing = anonymous.get("/incidents")
        assert missing.status_code == 401 and missing.json()["error"]["field"] == "X-API-Key"
        assert anonymous.post("/webhook", json=ALERT).status_code == 401
        assert anonymous.get("/incidents", headers={"X-API-Key": "wrong"}).status_code == 401
        assert anonymous.get("/incidents", params={"api_key": ADMIN}).status_code == 200


def test_scoped_keys_write_and_read_only_their_workspace(secured: str):
    with (
        httpx.Client(timeout=60, base_url=secured, headers={"X-API-Key": ACME}) as acme,
        httpx.Client(timeout=60, base_url=secured, headers={"X-API-Key": GLOBEX}) as globex,
        httpx.Client(timeout=60, base_url=secured, headers={"X-API-Key": ADMIN}) as admin,
    ):
        created = acme.post("/webhook", json=dict(ALERT, title="Acme only")).json()
        incident_id = created["incident_id"]
        assert acme.get(f"/incidents/{incident_id}").json()["incident"]["workspace_id"] == "ws-acme"

        # Another workspace's incident is a 404, for reads and lifecycle alike.
        assert globex.get(f"/incidents/{incident_id}").status_code == 404
        assert globex.get(f"/incidents/{incident_id}/timeline").status_code == 404
        assert globex.post(f"/incidents/{incident_id}/resolve").status_code == 404
        assert incident_id not in {item["id"] for item in globex.get("/incidents").json()["incidents"]}
        # Naming another workspace is a 404 too, on reads and writes.
        assert globex.get("/incidents", params={"workspace_id": "ws-acme"}).status_code == 404
        assert globex.post("/webhook", json=ALERT, headers={"X-Workspace-Id": "ws-acme"}).status_code == 404

        # A key that sees every workspace finds it by id alone, and can filter by workspace.
        assert admin.get(f"/incidents/{incident_id}").json()["incident"]["workspace_id"] == "ws-acme"
        listed = admin.get("/incidents", params={"workspace_id": "ws-acme"}).json()["incidents"]
        assert incident_id in {item["id"] for item in listed}
