"""What an incoming alert does: fold into an open incident, open a (child) incident, resolve, or nothing.

Pure: the caller reads the two facts this needs (the open-fingerprint claim and the service's anchor)
and carries out the decision with conditional writes, so races end in a retry, never a double incident.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from aisre.incidents.model.alert import Alert

CORRELATION_REASON = "same_service_within_window"


@dataclass(frozen=True)
class OpenFingerprint:
    """The claim that an open incident owns a fingerprint (exists only while the incident is open)."""

    incident_id: str
    alert_count: int
    opened_at: datetime
    group_id: str | None = None
    last_alert_at: datetime | None = None  # the latest alert folded in, carried onto the incident at resolve


@dataclass(frozen=True)
class ServiceAnchor:
    """The open root incident new alerts of a service are grouped under, and when it opened."""

    incident_id: str
    opened_at: datetime


@dataclass(frozen=True)
class FoldIntoIncident:
    incident_id: str


@dataclass(frozen=True)
class ResolveIncident:
    incident_id: str
    release_anchor: bool


@dataclass(frozen=True)
class OpenIncident:
    group_id: str | None
    correlation_reason: str | None
    # How the service's anchor changes: "claim" (none yet), "replace" (it is stale), or None.
    anchor_write: str | None
    stale_anchor: ServiceAnchor | None = None


@dataclass(frozen=True)
class NothingToResolve:
    """A resolved alert for which no incident is open: recorded, nothing changes."""


Decision = FoldIntoIncident | ResolveIncident | OpenIncident | NothingToResolve


def decide(
    alert: Alert,
    open_fingerprint: OpenFingerprint | None,
    anchor: ServiceAnchor | None,
    now: datetime,
    window: timedelta,
) -> Decision:
    if alert.is_resolved:
        if open_fingerprint is None:
            return NothingToResolve()
        release = anchor is not None and anchor.incident_id == open_fingerprint.incident_id
        return ResolveIncident(open_fingerprint.incident_id, release_anchor=release)
    if open_fingerprint is not None:
        return FoldIntoIncident(open_fingerprint.incident_id)
    if not alert.service:
        return OpenIncident(group_id=None, correlation_reason=None, anchor_write=None)
    if anchor is None:
        return OpenIncident(group_id=None, correlation_reason=None, anchor_write="claim")
    if window > timedelta(0) and anchor.opened_at >= now - window:
        return OpenIncident(group_id=anchor.incident_id, correlation_reason=CORRELATION_REASON, anchor_write=None)
    return OpenIncident(group_id=None, correlation_reason=None, anchor_write="replace", stale_anchor=anchor)


def dedup_strategy(alert: Alert) -> str:
    """How a duplicate was recognized, as the API reports it."""
    return "provider_fingerprint" if alert.fingerprint_kind == "provider" else "identity_fingerprint"
