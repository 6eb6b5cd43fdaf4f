"""What a state transition writes to the incident item: the state, the listing keys that move with it, the
count of actions recorded beside it and, on resolution, the final alert figures and the noisy entry."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from pynamodb.expressions.condition import Condition
from pynamodb.expressions.update import Action

from aisre.incidents.model.correlation import OpenFingerprint
from aisre.incidents.model.incident import ActionRecord, Incident, IncidentState
from aisre.incidents.store import keys
from aisre.incidents.store.mapping import noisy_entry_record
from aisre.incidents.store.records import IncidentRecord, NoisyEntryRecord


@dataclass(frozen=True)
class Resolution:
    """The incident item's update, the condition it is written under, and its noisy entry if it has one."""

    updates: list[Action]
    condition: Condition
    noisy_entry: NoisyEntryRecord | None


def listed_as(workspace_id: str, state: IncidentState) -> list[Action]:
    """The listing partitions (gsi1, gsi2) of an incident in `state`; its sort keys never change."""
    return [
        IncidentRecord.gsi1pk.set(keys.workspace_incidents(workspace_id, state.value)),
        IncidentRecord.gsi2pk.set(keys.all_incidents(state.value)),
    ]


def counted(action: ActionRecord | None) -> list[Action]:
    """actions_taken counts the action records written with it, so it is what /actions lists."""
    return [] if action is None else [IncidentRecord.actions_taken.add(1)]


def acknowledged_updates(workspace_id: str, at: datetime, action: ActionRecord | None) -> list[Action]:
    return [
        IncidentRecord.state.set(IncidentState.ACKNOWLEDGED.value),
        IncidentRecord.acknowledged_at.set(at),
        *listed_as(workspace_id, IncidentState.ACKNOWLEDGED),
        *counted(action),
    ]


def resolution(
    current: Incident,
    at: datetime,
    claim: OpenFingerprint | None,
    action: ActionRecord | None,
    alerts_received: int,
) -> Resolution:
    """`current` resolved at `at`: `claim` is its fingerprint claim as read (None if it owns none),
    `alerts_received` the resolving alert itself when an alert (not an operator) resolves it."""
    alert_count, last_alert_at = current.alert_count, current.last_alert_at
    if claim is not None:
        # The claim carries the live alert count; it becomes the incident's once the claim is gone.
        alert_count = claim.alert_count + alerts_received
        last_alert_at = _latest(last_alert_at, claim.last_alert_at)
    if alerts_received:
        last_alert_at = _latest(last_alert_at, at)
    resolved = _resolved(current, at, alert_count, last_alert_at, action)
    updates = [
        IncidentRecord.state.set(IncidentState.RESOLVED.value),
        IncidentRecord.resolved_at.set(at),
        IncidentRecord.alert_count.set(alert_count),
        IncidentRecord.duration_seconds.set(round((at - current.created_at).total_seconds(), 3)),
        *listed_as(current.workspace_id, IncidentState.RESOLVED),
        *counted(action),
    ]
    if last_alert_at is not None:
        updates.append(IncidentRecord.last_alert_at.set(last_alert_at))
    # The noisy entry is decided on the action count read: the update holds only if it is still that.
    unchanged_count = IncidentRecord.actions_taken == current.actions_taken
    if current.actions_taken == 0:
        unchanged_count = unchanged_count | IncidentRecord.actions_taken.does_not_exist()
    condition = IncidentRecord.state.is_in(IncidentState.OPEN.value, IncidentState.ACKNOWLEDGED.value) & unchanged_count
    return Resolution(updates=updates, condition=condition, noisy_entry=noisy_entry_record(resolved))


def _resolved(
    current: Incident, at: datetime, alert_count: int, last_alert_at: datetime | None, action: ActionRecord | None
) -> Incident:
    """The incident as the resolution leaves it."""
    return current.model_copy(
        update={
            "state": IncidentState.RESOLVED,
            "resolved_at": at,
            "alert_count": alert_count,
            "last_alert_at": last_alert_at,
            "actions_taken": current.actions_taken + (action is not None),
        }
    )


def _latest(known: datetime | None, seen: datetime | None) -> datetime | None:
    """The later of two moments, so that last_alert_at never goes back to an earlier value."""
    if known is None or seen is None:
        return known or seen
    return max(known, seen)
