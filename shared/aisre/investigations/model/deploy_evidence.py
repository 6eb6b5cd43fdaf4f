"""The deploy the platform correlated with the incident, as evidence the analyzer reads like a tool's answer.

The gather_changes step asks the incidents for a deploy of the service shortly before the incident; without a
cluster to read (no rollout history), that is the only sign of a change, and a bad release is the commonest cause
of a failure that starts minutes after it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aisre.investigations.model.evidence import ToolResult

DEPLOY_TOOL = "deploy_correlation"


def deploy_evidence(correlation: Mapping[str, Any] | None) -> ToolResult | None:
    """The correlated deploy as a tool result, or None when there was none."""
    if not correlation or not correlation.get("has_correlation"):
        return None
    deploy = correlation.get("correlated_deploy") or {}
    service = str(deploy.get("service") or "")
    lines = [str(correlation.get("message") or f"A deploy of {service} shortly before this incident")]
    if deploy.get("image"):
        lines.append(f"deploy {deploy.get('deploy_id')} rolled out image {deploy['image']}")
    return ToolResult(
        tool=DEPLOY_TOOL,
        params={"service": service, "lookback_minutes": correlation.get("lookback_minutes")},
        status="success",
        text="\n".join(lines),
    )
