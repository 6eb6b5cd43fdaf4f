"""Incident listings read by key (docs/data-model.md): state filters and noisy incidents across pages, the
requests a listing makes whatever else the table holds, list and detail agreeing, last_alert_at never going
back, actions_taken counting what /actions lists."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest

from tests.integration.test_alert_to_incident import ALERT
from tests.integration.test_incident_api import open_incident


def _page_through(api: httpx.Client, **params: Any) -> list[list[str]]:
    pages, cursor = [], None
    while True:
        answer = api.get("/incidents", params={**params, **({"cursor": cursor} if cursor else {})})
        assert answer.status_code == 200, answer.text
        body = answer.json()
        pages.append([item["id"] for item in body["incidents"]])
        cursor = body["next_cursor"]
        if not cursor:
            return pages


def _moment(text: str) -> datetime:
    return datetime.fromisoformat(text)


def _listed(api: httpx.Client, incident_id: str, **params: Any) -> dict[str, Any]:
    for item in api.get("/incidents", params={"limit": 100, **params}).json()["incidents"]:
        if item["id"] == incident_id:
            listed: dict[str, Any] = item
            return listed
    raise AssertionError(f"{incident_id} not listed with {params}")


# --- consistency ------------------------------------------------------------------------------------


def test_list_and_detail_agree_after_a_duplicate(api: httpx.Client):
    incident_id = open_incident(api, "Disk filling", service="storage")
    again = api.post("/webhook", json=dict(ALERT, title="Disk filling", service="storage")).json()
    assert again["deduplicated"] is True and again["incident_id"] == incident_id
    detail = api.get(f"/incidents/{incident_id}").json()["incident"]
    assert detail["alert_count"] == 2
    for params in ({}, {"state": "open"}):
        listed = _listed(api, incident_id, **params)
        assert (listed["alert_count"], listed["last_alert_at"]) == (detail["alert_count"], detail["last_alert_at"])
    assert _moment(detail["last_alert_at"]) > _moment(detail["created_at"])


@pytest.mark.parametrize("resolved_by", ["alert", "operator"])
def test_last_alert_at_never_goes_back_on_resolve(api: httpx.Client, resolved_by: str):
    alert = dict(ALERT, title=f"Latency by {resolved_by}", service=f"latency-{resolved_by}")
    incident_id = open_incident(api, alert["title"], service=alert["service"])
    api.post("/webhook", json=alert)
    shown = api.get(f"/incidents/{incident_id}").json()["incident"]["last_alert_at"]
    assert _listed(api, incident_id)["last_alert_at"] == shown
    if resolved_by == "alert":
        api.post("/webhook", json=dict(alert, status="resolved"))
    else:
        assert api.post(f"/incidents/{incident_id}/resolve").status_code == 200
    detail = api.get(f"/incidents/{incident_id}").json()["incident"]
    assert detail["state"] == "resolved"
    assert _moment(detail["last_alert_at"]) >= _moment(shown)
    assert _listed(api, incident_id, state="resolved")["last_alert_at"] == detail["last_alert_at"]
    expected_count = 3 if resolved_by == "alert" else 2  # the resolving alert is an alert received too
    assert detail["alert_count"] == expected_count


def test_actions_taken_counts_what_actions_lists(api: httpx.Client):
    incident_id = open_incident(api, "Queue stuck", service="queue")
    api.post(f"/incidents/{incident_id}/acknowledge", json={"actor": "erin"})
    assert api.get(f"/incidents/{incident_id}").json()["metrics"]["actions_taken"] == 1
    api.post(f"/incidents/{incident_id}/resolve", json={"actor": "erin"})
    listed = api.get(f"/incidents/{incident_id}/actions").json()
    detail = api.get(f"/incidents/{incident_id}").json()
    summary = api.get(f"/incidents/{incident_id}/metrics").json()["summary"]
    assert [action["action"] for action in listed["actions"]] == ["acknowledge", "resolve"]
    assert detail["metrics"]["actions_taken"] == listed["count"] == len(detail["actions"]) == 2
    assert summary["actions_taken"] == 2


def test_noisy_means_no_action_of_anyone(api: httpx.Client):
    """Quickly resolved by its alert: noisy. Quickly resolved by an operator, or acknowledged first: someone
    acted (their action is on /actions), so not noisy."""
    by_alert = open_incident(api, "Blip by alert", service="blip-a")
    api.post("/webhook", json=dict(ALERT, title="Blip by alert", service="blip-a", status="resolved"))
    by_operator = open_incident(api, "Blip by operator", service="blip-o")
    api.post(f"/incidents/{by_operator}/resolve")
    acknowledged = open_incident(api, "Blip acknowledged", service="blip-k")
    api.post(f"/incidents/{acknowledged}/acknowledge")
    api.post("/webhook", json=dict(ALERT, title="Blip acknowledged", service="blip-k", status="resolved"))
    noisy = api.get("/incidents/noisy").json()["noisy_incidents"]
    assert [item["id"] for item in noisy] == [by_alert]
    assert api.get(f"/incidents/{by_alert}").json()["metrics"]["actions_taken"] == 0
    assert noisy[0]["state"] == "resolved" and noisy[0]["alert_count"] == 2


# --- listings across pages ----------------------------------------------------------------------------


def test_state_filters_and_the_merged_listing_page_newest_first(api: httpx.Client):
    ids = [open_incident(api, f"Paged {index}", service=f"paged-{index}") for index in range(7)]
    for incident_id in ids[1:3]:
        api.post(f"/incidents/{incident_id}/acknowledge")
    for incident_id in (ids[0], ids[4]):
        api.post(f"/incidents/{incident_id}/resolve")
    newest_first = ids[::-1]
    expected = {
        "open": [i for i in newest_first if i in {ids[3], ids[5], ids[6]}],
        "acknowledged": [ids[2], ids[1]],
        "resolved": [ids[4], ids[0]],
    }
    for state, wanted in expected.items():
        pages = _page_through(api, state=state, limit=2)
        assert [i for page in pages for i in page] == wanted
        assert all(len(page) <= 2 for page in pages)
    pages = _page_through(api, limit=3)
    assert [i for page in pages for i in page] == newest_first
    assert [len(page) for page in pages][:2] == [3, 3]


def test_an_incident_moving_between_pages_is_listed_once(api: httpx.Client):
    ids = [open_incident(api, f"Moving {index}", service=f"moving-{index}") for index in range(6)]
    first = api.get("/incidents", params={"limit": 2}).json()
    assert [item["id"] for item in first["incidents"]] == [ids[5], ids[4]]
    api.post(f"/incidents/{ids[5]}/resolve")  # shown already: must not come back
    api.post(f"/incidents/{ids[2]}/acknowledge")  # not yet shown: must still come, once
    seen = [item["id"] for item in first["incidents"]]
    cursor = first["next_cursor"]
    while cursor:
        body = api.get("/incidents", params={"limit": 2, "cursor": cursor}).json()
        seen += [item["id"] for item in body["incidents"]]
        cursor = body["next_cursor"]
    assert seen == ids[::-1]


def test_a_cursor_of_one_state_is_refused_by_another(api: httpx.Client):
    for index in range(3):
        open_incident(api, f"Bound {index}", service=f"bound-{index}")
    cursor = api.get("/incidents", params={"state": "open", "limit": 1}).json()["next_cursor"]
    refused = api.get("/incidents", params={"state": "resolved", "cursor": cursor})
    assert refused.status_code == 422 and refused.json()["error"]["field"] == "cursor"


# --- requests, whatever the table holds ---------------------------------------------------------------


def _requests_of(local_stack: Any, call: Callable[[], Any]) -> dict[str, int]:
    local_stack.reset_request_counts()
    call()
    counts = local_stack.request_counts()["by_operation"]
    return {op.removeprefix("dynamodb:"): n for op, n in counts.items() if op.startswith("dynamodb:")}


def _store_resolved_incidents(workspace: str, count: int, *, noisy: bool) -> None:
    """`count` resolved incidents of `workspace`, older than anything the tests open, written as the store
    writes them, in batches (the alert path would take minutes)."""
    from aisre.incidents.model.alert import Severity
    from aisre.incidents.model.incident import Incident, IncidentState
    from aisre.incidents.store.mapping import incident_to_record, noisy_entry_record
    from aisre.incidents.store.records import IncidentRecord

    start = datetime.now().astimezone() - timedelta(hours=20)
    with IncidentRecord.batch_write() as batch:
        for number in range(count):
            created = start + timedelta(seconds=number)
            incident = Incident(
                id=f"inc-bulk{number:08d}",
                workspace_id=workspace,
                title=f"Old {number}",
                severity=Severity.WARNING,
                state=IncidentState.RESOLVED,
                source="prometheus",
                provider="generic",
                fingerprint=f"bulk-{number}",
                created_at=created,
                resolved_at=created + timedelta(seconds=90 if noisy else 7200),
                actions_taken=0 if noisy else 1,
            )
            batch.save(incident_to_record(incident))
            entry = noisy_entry_record(incident)
            if entry is not None:
                batch.save(entry)


def test_a_listing_makes_the_same_requests_whatever_else_the_table_holds(
    api: httpx.Client, local_stack: Any, workspace: str
):
    """Before: ?state=open filtered pages of the workspace's whole listing (a request per 200 incidents),
    /noisy likewise. Now each reads its partitions by key: the same requests with 3 incidents or 1,503."""
    opened = [open_incident(api, f"Needle {index}", service=f"needle-{index}") for index in range(3)]
    noisy_id = open_incident(api, "Needle blip", service="needle-blip")
    api.post("/webhook", json=dict(ALERT, title="Needle blip", service="needle-blip", status="resolved"))

    calls = {
        "open": lambda: api.get("/incidents", params={"state": "open", "limit": 20}),
        "resolved": lambda: api.get("/incidents", params={"state": "resolved", "limit": 20}),
        "all": lambda: api.get("/incidents", params={"limit": 20}),
        "noisy": lambda: api.get("/incidents/noisy"),
    }
    before = {name: _requests_of(local_stack, call) for name, call in calls.items()}
    _store_resolved_incidents(workspace, 1000, noisy=False)
    _store_resolved_incidents(f"{workspace}-noise", 500, noisy=True)  # another workspace's noisy ones
    after = {name: _requests_of(local_stack, call) for name, call in calls.items()}

    assert after == before
    assert after["open"] == {"Query": 1, "BatchGetItem": 1}  # the page, then its live alert counts
    assert after["resolved"] == {"Query": 1}
    assert after["all"]["Query"] == 3 and after["all"].get("BatchGetItem", 0) <= 1
    assert after["noisy"] == {"Query": 2}  # max 5 minutes: the 1-minute and 5-minute groups, whole
    open_ids = [item["id"] for item in calls["open"]().json()["incidents"]]
    assert open_ids == opened[::-1]
    assert [item["id"] for item in calls["noisy"]().json()["noisy_incidents"]] == [noisy_id]


# --- noisy: duration groups, lookback, limit ----------------------------------------------------------


@pytest.fixture
def clocked(local_stack: Any, workspace: str) -> Iterator[tuple[Any, Any, list[datetime]]]:
    """An ingest and a lifecycle service on the emulator whose clock the test moves."""
    from aisre.core.providers import table_connection
    from aisre.core.scope import default_scope
    from aisre.incidents.providers import deploy_store
    from aisre.incidents.service.ingest import IngestService
    from aisre.incidents.service.lifecycle import IncidentService
    from aisre.incidents.store.incident_store import DynamoIncidentStore

    scope = default_scope()
    now = [datetime.now().astimezone() - timedelta(days=3)]
    store = DynamoIncidentStore(scope.get(table_connection))
    ingest = IngestService(
        store, correlation_window=timedelta(seconds=0), deploy_lookback=timedelta(0), clock=lambda: now[0]
    )
    lifecycle = IncidentService(store, scope.get(deploy_store), clock=lambda: now[0])
    yield ingest, lifecycle, now


def test_noisy_lists_by_duration_group_newest_first(clocked: tuple[Any, Any, list[datetime]], workspace: str):
    from aisre.incidents.model.alert import Alert, AlertStatus, Severity

    ingest, lifecycle, now = clocked

    def alert(name: str, status: AlertStatus = AlertStatus.FIRING) -> Alert:
        return Alert(
            title=name, severity=Severity.WARNING, source="prometheus", provider="generic", status=status,
            fingerprint=f"fp-{name}", service=name,
        )  # fmt: skip

    def flap(name: str, lasting: timedelta) -> str:
        now[0] += timedelta(minutes=1)
        incident_id: str = ingest.ingest_one(workspace, alert(name)).incident_id
        now[0] += lasting
        ingest.ingest_one(workspace, alert(name, AlertStatus.RESOLVED))
        return incident_id

    half_minute = flap("half-minute", timedelta(seconds=30))  # group 1
    four = flap("four-minutes", timedelta(minutes=4))  # group 5
    now[0] += timedelta(hours=5)  # so that a lookback can tell the later ones from these
    ten = flap("ten-minutes", timedelta(minutes=10))  # group 15
    two_hours = flap("two-hours", timedelta(hours=2))  # group 240
    thirty_hours = flap("thirty-hours", timedelta(hours=30))  # past every group: never noisy
    now[0] += timedelta(minutes=1)
    handled = ingest.ingest_one(workspace, alert("handled")).incident_id
    lifecycle.resolve(workspace, handled, actor="dave")  # quick, but someone acted

    def noisy(max_minutes: float, **options: int) -> list[str]:
        found = lifecycle.noisy(workspace, max_minutes, options.get("lookback", 24 * 7), options.get("limit", 20))
        return [item.id for item in found]

    assert noisy(5) == [four, half_minute]
    assert noisy(1) == [half_minute]
    assert noisy(0.4) == []  # the 1-minute group, filtered: 30 s is longer than 24 s
    assert noisy(7) == [four, half_minute]  # the 15-minute group, filtered: 10 minutes is longer
    assert noisy(12) == [ten, four, half_minute]
    assert noisy(24 * 60) == [two_hours, ten, four, half_minute]
    assert thirty_hours not in noisy(24 * 60) and handled not in noisy(24 * 60)
    assert noisy(12, limit=2) == [ten, four]
    assert noisy(12, lookback=33) == [ten]  # resolved within the last 33 hours of the moved clock
    # Every workspace (gsi2): other tests' noisy incidents too, newer than these (this clock is days back).
    everywhere = [item.id for item in lifecycle.noisy(None, 12, 24 * 7, 100_000)]
    assert [i for i in everywhere if i in {ten, four, half_minute}] == [ten, four, half_minute]
    entry = lifecycle.noisy(workspace, 5, 24 * 7, 1)[0]
    assert entry.duration_minutes() == 4.0 and entry.alert_count == 2
