"""Incidents written before the listings were read by key, brought up to the data model (docs/data-model.md):
listing partitions by state, actions_taken as the count of the incident's action records, a resolved
incident's last_alert_at no earlier than its last alert, and the noisy entries of noisy candidates.

Run once after upgrading (`aisre migrate`); it is idempotent, so running it again, or while the platform
serves, changes only what is still out of date. An incident that changes state while it is examined is
left to the transition, which writes the current keys itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pynamodb.exceptions import UpdateError

from aisre.incidents.model.incident import IncidentState
from aisre.incidents.store import keys
from aisre.incidents.store.mapping import noisy_entry_record, record_to_incident
from aisre.incidents.store.records import ActionItemRecord, IncidentRecord, NoisyEntryRecord, TimelineEventRecord


@dataclass
class BackfillReport:
    examined: int = 0
    updated: int = 0
    noisy_entries: int = 0
    changed_meanwhile: int = 0

    def summary(self) -> str:
        return (
            f"{self.examined} incidents examined, {self.updated} updated, {self.noisy_entries} noisy entries "
            f"written, {self.changed_meanwhile} left to a transition that happened meanwhile"
        )


def backfill_incidents() -> BackfillReport:
    """Every incident of every workspace (a Scan of the table: this is the one read that may)."""
    report = BackfillReport()
    incidents = IncidentRecord.scan(
        filter_condition=(IncidentRecord.sk == keys.INCIDENT_SK) & IncidentRecord.gsi3pk.startswith("INC#")
    )
    for record in incidents:
        report.examined += 1
        bring_up_to_date(record, report)
    return report


def bring_up_to_date(record: IncidentRecord, report: BackfillReport) -> None:
    state = IncidentState(record.state)
    wanted: dict[str, Any] = {
        "gsi1pk": keys.workspace_incidents(record.workspace_id, state.value),
        "gsi2pk": keys.all_incidents(state.value),
        "actions_taken": _actions_recorded(record.pk),
    }
    if state is IncidentState.RESOLVED:
        last_alert = _last_alert_at(record.pk)
        if last_alert is not None and (record.last_alert_at is None or last_alert > record.last_alert_at):
            wanted["last_alert_at"] = last_alert
        if record.duration_seconds is None and record.resolved_at is not None:
            wanted["duration_seconds"] = round((record.resolved_at - record.created_at).total_seconds(), 3)
    stale = {name: value for name, value in wanted.items() if getattr(record, name) != value}
    if stale:
        try:
            record.update(
                actions=[getattr(IncidentRecord, name).set(value) for name, value in stale.items()],
                condition=IncidentRecord.state == state.value,
            )
        except UpdateError as error:
            if error.cause_response_code != "ConditionalCheckFailedException":
                raise
            report.changed_meanwhile += 1
            return
        report.updated += 1
    if state is IncidentState.RESOLVED:
        entry = noisy_entry_record(record_to_incident(record))
        if entry is not None:
            entry.save()
            report.noisy_entries += 1
        else:
            NoisyEntryRecord(pk=record.pk, sk=keys.NOISY_SK).delete()


def _actions_recorded(incident_pk: str) -> int:
    return ActionItemRecord.count(incident_pk, ActionItemRecord.sk.startswith(keys.ACTION_PREFIX))


def _last_alert_at(incident_pk: str) -> datetime | None:
    """When the incident's last alert arrived, from its timeline (alerts are `alert_received` events)."""
    latest = TimelineEventRecord.query(
        incident_pk,
        TimelineEventRecord.sk.startswith(keys.EVENT_PREFIX),
        filter_condition=TimelineEventRecord.event_type == "alert_received",
        scan_index_forward=False,
        limit=1,
    )
    for event in latest:
        return event.created_at
    return None
