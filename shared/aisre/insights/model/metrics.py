"""Pilot metrics of a window's incidents: MTTA, MTTR, counts per service and severity, compression, auto-resolved."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from aisre.incidents.model.incident import Incident, IncidentState

# An incident with no service label is still counted, under this name, so the per-service counts add up.
NO_SERVICE = "(none)"


@dataclass(frozen=True)
class Durations:
    """Minutes from an incident's creation to a moment (acknowledged, resolved), over the incidents that reached it."""

    count: int = 0
    mean_minutes: float | None = None
    median_minutes: float | None = None
    p90_minutes: float | None = None
    max_minutes: float | None = None


@dataclass(frozen=True)
class PilotMetrics:
    incidents: int
    alerts_received: int
    # Alerts received per incident: how much the dedup and correlation spared a responder. None without incidents.
    compression_ratio: float | None
    mtta: Durations
    mttr: Durations
    by_service: dict[str, int] = field(default_factory=dict)
    by_severity: dict[str, int] = field(default_factory=dict)
    by_state: dict[str, int] = field(default_factory=dict)
    resolved: int = 0
    resolved_by_alert: int = 0
    resolved_by_person: int = 0
    # resolved_by_alert / resolved; None when nothing was resolved.
    auto_resolved_share: float | None = None


def minutes_between(start: datetime, end: datetime) -> float:
    """Minutes from start to end, never negative (a clock a little behind another must not make time run back)."""
    return max(0.0, (end - start).total_seconds() / 60)


def percentile(values: Sequence[float], fraction: float) -> float:
    """The nearest-rank percentile of `values` (non-empty), `fraction` in [0, 1]."""
    ordered = sorted(values)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


def durations(minutes: Sequence[float]) -> Durations:
    if not minutes:
        return Durations()
    ordered = sorted(minutes)
    middle = len(ordered) // 2
    median = ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2
    return Durations(
        count=len(ordered),
        mean_minutes=round(sum(ordered) / len(ordered), 2),
        median_minutes=round(median, 2),
        p90_minutes=round(percentile(ordered, 0.9), 2),
        max_minutes=round(ordered[-1], 2),
    )


def ratio(numerator: int, denominator: int) -> float | None:
    return round(numerator / denominator, 4) if denominator else None


def pilot_metrics(incidents: Sequence[Incident], resolved_by_person: Collection[str]) -> PilotMetrics:
    """What `incidents` add up to. `resolved_by_person`: the ids of those a person resolved (an operator's resolve
    action); every other resolved incident was resolved by its alerts."""
    acknowledged = [
        minutes_between(incident.created_at, incident.acknowledged_at)
        for incident in incidents
        if incident.acknowledged_at is not None
    ]
    resolved = [incident for incident in incidents if incident.state is IncidentState.RESOLVED]
    repaired = [
        minutes_between(incident.created_at, incident.resolved_at)
        for incident in resolved
        if incident.resolved_at is not None
    ]
    by_person = sum(1 for incident in resolved if incident.id in resolved_by_person)
    alerts = sum(max(1, incident.alert_count) for incident in incidents)
    return PilotMetrics(
        incidents=len(incidents),
        alerts_received=alerts,
        compression_ratio=ratio(alerts, len(incidents)),
        mtta=durations(acknowledged),
        mttr=durations(repaired),
        by_service=_counted(incident.service or NO_SERVICE for incident in incidents),
        by_severity=_counted(incident.severity.value for incident in incidents),
        by_state=_counted(incident.state.value for incident in incidents),
        resolved=len(resolved),
        resolved_by_alert=len(resolved) - by_person,
        resolved_by_person=by_person,
        auto_resolved_share=ratio(len(resolved) - by_person, len(resolved)),
    )


def _counted(names: Iterable[str]) -> dict[str, int]:
    """Counts, largest first, then by name: a stable order for a chart and a CSV."""
    counts = Counter(names)
    return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))
