"""`aisre migrate`: incidents stored before the listings were read by key (one listing partition for every
state, actions_taken 0, last_alert_at back at creation, no noisy entries) brought up to the data model."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx

from tests.integration.test_alert_to_incident import ALERT
from tests.integration.test_incident_api import open_incident

ROOT = Path(__file__).resolve().parents[2]


def _as_stored_before(workspace: str, incident_id: str) -> None:
    """Rewrite an incident as the previous version left it: one listing partition for every state,
    actions_taken 0 whatever was recorded, last_alert_at back at creation, no noisy entry."""
    from aisre.incidents.store import keys
    from aisre.incidents.store.records import IncidentRecord, NoisyEntryRecord

    record = IncidentRecord.get(keys.incident_pk(workspace, incident_id), keys.INCIDENT_SK, consistent_read=True)
    record.update(
        actions=[
            IncidentRecord.gsi1pk.set(f"WS#{workspace}#INC"),
            IncidentRecord.gsi2pk.set("INC"),
            IncidentRecord.actions_taken.set(0),
            IncidentRecord.last_alert_at.set(record.created_at),
        ]
    )
    NoisyEntryRecord(pk=keys.incident_pk(workspace, incident_id), sk=keys.NOISY_SK).delete()


def test_the_backfill_brings_old_incidents_into_the_listings(api: httpx.Client, workspace: str):
    from aisre.incidents.store import keys
    from aisre.incidents.store.backfill import BackfillReport, bring_up_to_date
    from aisre.incidents.store.records import IncidentRecord

    handled = open_incident(api, "Old handled", service="old-h")
    api.post(f"/incidents/{handled}/acknowledge")
    api.post(f"/incidents/{handled}/resolve")
    blip = open_incident(api, "Old blip", service="old-b")
    api.post("/webhook", json=dict(ALERT, title="Old blip", service="old-b"))
    api.post("/webhook", json=dict(ALERT, title="Old blip", service="old-b", status="resolved"))
    still_open = open_incident(api, "Old open", service="old-o")
    wanted = {i: api.get(f"/incidents/{i}").json()["incident"] for i in (handled, blip)}
    for incident_id in (handled, blip, still_open):
        _as_stored_before(workspace, incident_id)
    assert api.get("/incidents", params={"state": "resolved"}).json()["incidents"] == []
    assert api.get("/incidents/noisy").json()["noisy_incidents"] == []

    report = BackfillReport()
    for incident_id in (handled, blip, still_open):
        record = IncidentRecord.get(keys.incident_pk(workspace, incident_id), keys.INCIDENT_SK)
        bring_up_to_date(record, report)
    assert (report.updated, report.noisy_entries) == (3, 1)

    assert [item["id"] for item in api.get("/incidents", params={"state": "resolved"}).json()["incidents"]] == [
        blip,
        handled,
    ]
    assert [item["id"] for item in api.get("/incidents", params={"state": "open"}).json()["incidents"]] == [still_open]
    assert [item["id"] for item in api.get("/incidents/noisy").json()["noisy_incidents"]] == [blip]
    assert api.get(f"/incidents/{handled}").json()["metrics"]["actions_taken"] == 2
    assert api.get(f"/incidents/{blip}").json()["incident"]["last_alert_at"] == wanted[blip]["last_alert_at"]

    again = BackfillReport()
    for incident_id in (handled, blip, still_open):
        bring_up_to_date(IncidentRecord.get(keys.incident_pk(workspace, incident_id), keys.INCIDENT_SK), again)
    assert again.updated == 0  # idempotent


def test_aisre_migrate_runs_the_backfill_against_a_table(local_stack: Any):
    from aisre.core.settings import get_settings

    settings = get_settings()
    command = [sys.executable, "-m", "aisre.cli", "migrate", "--table-name", settings.table_name]
    command += ["--endpoint-url", str(settings.dynamodb_endpoint)]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("aisre migrate: ") and "incidents examined" in done.stdout
