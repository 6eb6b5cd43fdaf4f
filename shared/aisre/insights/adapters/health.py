"""HealthChecks over the core's probes: the table, the alert queue and the investigation queue, as /health checks."""

from __future__ import annotations

from typing import Any

from aisre.core.queue_health import check_queue
from aisre.core.settings import Settings
from aisre.core.table.health import check_table


class CoreHealth:
    def __init__(self, settings: Settings):
        self._settings = settings

    def __call__(self) -> dict[str, dict[str, Any]]:
        settings = self._settings
        return {
            "table": check_table(),
            "queue": check_queue(settings.alert_queue_url, settings.aws_region, settings.aws_endpoint_url),
            "investigation_queue": check_queue(
                settings.investigation_queue_url, settings.aws_region, settings.aws_endpoint_url
            ),
        }
