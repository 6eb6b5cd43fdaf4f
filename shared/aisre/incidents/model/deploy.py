"""Deploy events and their correlation with incidents (a deploy shortly before an incident is a suspect)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from pydantic import BaseModel

from aisre.incidents.model.incident import DeployCorrelation


class Deploy(BaseModel):
    deploy_id: str
    workspace_id: str
    service: str
    namespace: str | None = None
    environment: str | None = None
    image: str | None = None
    version: str | None = None
    actor: str | None = None
    commit_sha: str | None = None
    description: str | None = None
    timestamp: datetime


def correlate_deploy(
    deploys: Iterable[Deploy], incident_created_at: datetime, lookback_minutes: float
) -> DeployCorrelation | None:
    """The latest deploy at or before the incident within the lookback window, if any."""
    best: Deploy | None = None
    for deploy in deploys:
        minutes_before = (incident_created_at - deploy.timestamp).total_seconds() / 60
        if minutes_before < 0 or minutes_before > lookback_minutes:
            continue
        if best is None or deploy.timestamp > best.timestamp:
            best = deploy
    if best is None:
        return None
    return DeployCorrelation(
        deploy_id=best.deploy_id,
        service=best.service,
        actor=best.actor,
        image=best.image,
        minutes_before_incident=round((incident_created_at - best.timestamp).total_seconds() / 60, 1),
    )


def correlation_message(correlation: DeployCorrelation | None, lookback_minutes: float) -> str:
    if correlation is None:
        return f"No deploy of this service in the {lookback_minutes:g} minutes before this incident"
    who = correlation.actor or "unknown actor"
    return (
        f"Deploy by {who} ({correlation.service}) was {correlation.minutes_before_incident:g} min before this incident"
    )
