"""On-call over real HTTP on the local stack: schedules and escalation policies created, read, listed, replaced and
deleted; bad input is a 422 naming the field with nothing stored; shifts across a daylight-saving change carry their
local offsets; the iCalendar export parses back with the right times; a service belongs to one policy; a schedule a
policy names is not deleted from under it; /oncall/current and the escalation preview answer seed 001's shapes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

import httpx
from icalendar import Calendar

SCHEDULE: dict[str, Any] = {
    "name": "payments primary",
    "time_zone": "America/New_York",
    "layers": [{"participants": ["alice", "bob"], "rotation": "daily", "handoff_time": "09:00", "start": "2026-03-01"}],
}


def created(api: httpx.Client, path: str, body: dict[str, Any]) -> dict[str, Any]:
    response = api.post(path, json=body)
    assert response.status_code == 201, response.text
    answer: dict[str, Any] = response.json()
    return answer


def refused(response: httpx.Response, status: int = 422) -> dict[str, Any]:
    assert response.status_code == status, response.text
    error: dict[str, Any] = response.json()["error"]
    return error


def window(start: str, end: str) -> str:
    return f"from={quote(start)}&to={quote(end)}"


def policy_body(schedule_id: str, **changes: Any) -> dict[str, Any]:
    return {
        "name": "payments",
        "team": "payments-team",
        "services": ["payments"],
        "levels": [
            {"targets": [{"schedule": schedule_id}], "delay_minutes": 15},
            {"targets": [{"user": "eve"}], "delay_minutes": 30},
        ],
        "repeat": 1,
        **changes,
    }


def test_a_schedule_is_created_read_listed_replaced_and_deleted(api: httpx.Client):
    schedule = created(api, "/oncall/schedules", SCHEDULE)
    assert schedule["id"].startswith("sch-") and schedule["time_zone"] == "America/New_York"
    assert schedule["layers"][0]["participants"] == ["alice", "bob"] and schedule["policies"] == []
    assert api.get(f"/oncall/schedules/{schedule['id']}").json() == schedule
    listed = api.get("/oncall/schedules").json()
    assert [item["id"] for item in listed["schedules"]] == [schedule["id"]] and listed["count"] == 1

    changed = {
        **SCHEDULE,
        "name": "renamed",
        "overrides": [{"participant": "carol", "start": "2026-03-10T09:00", "end": "2026-03-11T09:00"}],
    }
    replaced = api.put(f"/oncall/schedules/{schedule['id']}", json=changed)
    assert replaced.status_code == 200, replaced.text
    assert replaced.json()["name"] == "renamed" and replaced.json()["version"] == 2
    # Read in the schedule's zone without an offset; answered in UTC like every moment the API sends.
    assert replaced.json()["overrides"] == [
        {"participant": "carol", "start": "2026-03-10T13:00:00Z", "end": "2026-03-11T13:00:00Z"}
    ]

    assert api.delete(f"/oncall/schedules/{schedule['id']}").json() == {"id": schedule["id"], "deleted": True}
    refused(api.get(f"/oncall/schedules/{schedule['id']}"), 404)
    refused(api.delete(f"/oncall/schedules/{schedule['id']}"), 404)


def test_bad_schedules_are_422s_naming_the_field_and_nothing_is_stored(api: httpx.Client):
    layer = SCHEDULE["layers"][0]
    cases = [
        ({**SCHEDULE, "time_zone": "Atlantis/Capital"}, "time_zone"),
        ({**SCHEDULE, "layers": [{**layer, "participants": []}]}, "layers[0].participants"),
        ({**SCHEDULE, "layers": [{**layer, "rotation": {"hours": 0}}]}, "layers[0].rotation.hours"),
        ({**SCHEDULE, "layers": [{**layer, "handoff_time": "25:00"}]}, "layers[0].handoff_time"),
        (
            {
                **SCHEDULE,
                "overrides": [
                    {"participant": "carol", "start": "2026-03-10T09:00:00-04:00", "end": "2026-03-11T09:00:00-04:00"},
                    {"participant": "dave", "start": "2026-03-10T21:00:00-04:00", "end": "2026-03-12T09:00:00-04:00"},
                ],
            },
            "overrides[1]",
        ),
    ]
    for body, field in cases:
        assert refused(api.post("/oncall/schedules", json=body))["field"] == field, body
    # A field no schedule has is named by the request's own check.
    unknown = refused(api.post("/oncall/schedules", json={**SCHEDULE, "layers": [{**layer, "particpants": ["x"]}]}))
    assert "particpants" in unknown["field"]
    assert api.get("/oncall/schedules").json() == {"schedules": [], "count": 0}
    # A replacement refused leaves the schedule as it was.
    schedule = created(api, "/oncall/schedules", SCHEDULE)
    bad = api.put(f"/oncall/schedules/{schedule['id']}", json={**SCHEDULE, "time_zone": "Nowhere/Else"})
    assert refused(bad)["field"] == "time_zone"
    assert api.get(f"/oncall/schedules/{schedule['id']}").json() == schedule


def test_shifts_across_spring_forward_carry_their_local_offsets(api: httpx.Client):
    schedule = created(api, "/oncall/schedules", SCHEDULE)
    answer = api.get(
        f"/oncall/schedules/{schedule['id']}/shifts?" + window("2026-03-07T09:00:00-05:00", "2026-03-09T09:00:00-04:00")
    )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["from"] == "2026-03-07T14:00:00Z" and body["to"] == "2026-03-09T13:00:00Z" and body["count"] == 2
    assert [(s["start"], s["end"], s["participant"], s["source"]) for s in body["shifts"]] == [
        ("2026-03-07T09:00:00-05:00", "2026-03-08T09:00:00-04:00", "alice", "layer"),
        ("2026-03-08T09:00:00-04:00", "2026-03-09T09:00:00-04:00", "bob", "layer"),
    ]
    starts = [datetime.fromisoformat(s["start"]) for s in body["shifts"]]
    assert starts[1] - starts[0] == timedelta(hours=23)
    # A window without offsets, backwards, or too long is refused naming the parameter.
    base = f"/oncall/schedules/{schedule['id']}/shifts?"
    assert refused(api.get(base + "from=2026-03-07T09:00:00"))["field"] == "from"
    assert refused(api.get(base + window("2026-03-09T00:00:00Z", "2026-03-08T00:00:00Z")))["field"] == "to"
    assert refused(api.get(base + window("2026-01-01T00:00:00Z", "2026-06-01T00:00:00Z")))["field"] == "to"
    refused(api.get("/oncall/schedules/sch-000000000000/shifts"), 404)
    # By default, the next 14 days.
    default = api.get(base).json()
    assert datetime.fromisoformat(default["to"]) - datetime.fromisoformat(default["from"]) == timedelta(days=14)


def test_the_calendar_export_parses_back_with_the_shifts_times(api: httpx.Client):
    berlin = {
        "name": "platform",
        "time_zone": "Europe/Berlin",
        "layers": [
            {"participants": ["anna", "ben"], "rotation": "weekly", "handoff_time": "10:00", "start": "2026-10-12"}
        ],
        "overrides": [
            {"participant": "cora", "start": "2026-10-28T12:00:00+01:00", "end": "2026-10-28T18:00:00+01:00"}
        ],
    }
    schedule = created(api, "/oncall/schedules", berlin)
    query = window("2026-10-19T10:00:00+02:00", "2026-11-02T10:00:00+01:00")
    exported = api.get(f"/oncall/schedules/{schedule['id']}.ics?{query}")
    assert exported.status_code == 200, exported.text
    assert exported.headers["content-type"].startswith("text/calendar")
    calendar = Calendar.from_ical(exported.content)
    events = calendar.walk("VEVENT")
    shifts = api.get(f"/oncall/schedules/{schedule['id']}/shifts?{query}").json()["shifts"]
    # ben's week across the autumn change, then anna's cut by cora's override.
    assert [shift["participant"] for shift in shifts] == ["ben", "anna", "cora", "anna"] and len(events) == 4
    for event, shift in zip(events, shifts, strict=True):
        start, end = event.decoded("DTSTART"), event.decoded("DTEND")
        assert event["DTSTART"].params["TZID"] == "Europe/Berlin"
        assert start == datetime.fromisoformat(shift["start"]) and end == datetime.fromisoformat(shift["end"])
        assert str(event["SUMMARY"]) == f"On call: {shift['participant']}"
    autumn = events[0]
    # (Aware datetimes of one zone subtract as wall-clock times: in UTC, the hours that passed.)
    assert autumn.decoded("DTEND").astimezone(UTC) - autumn.decoded("DTSTART").astimezone(UTC) == timedelta(hours=169)
    assert autumn.decoded("DTSTART").utcoffset() == timedelta(hours=2)
    assert autumn.decoded("DTEND").utcoffset() == timedelta(hours=1)
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/Berlin"]
    # The same shifts have the same UIDs in the next export: a subscribed calendar updates, it does not duplicate.
    again = Calendar.from_ical(api.get(f"/oncall/schedules/{schedule['id']}.ics?{query}").content)
    assert [str(e["UID"]) for e in again.walk("VEVENT")] == [str(e["UID"]) for e in events]
    assert len({str(e["UID"]) for e in events}) == 4
    refused(api.get("/oncall/schedules/sch-000000000000.ics"), 404)


def test_policies_are_checked_against_schedules_and_one_policy_holds_a_service(api: httpx.Client):
    schedule = created(api, "/oncall/schedules", SCHEDULE)
    missing = refused(api.post("/oncall/escalation-policies", json=policy_body("sch-doesnotexist")))
    assert missing["field"] == "levels[0].targets[0].schedule"
    assert (
        refused(api.post("/oncall/escalation-policies", json=policy_body(schedule["id"], levels=[])))["field"]
        == "levels"
    )
    assert api.get("/oncall/escalation-policies").json() == {"policies": [], "count": 0}
    assert api.get(f"/oncall/schedules/{schedule['id']}").json()["policies"] == []

    policy = created(api, "/oncall/escalation-policies", policy_body(schedule["id"]))
    assert policy["id"].startswith("pol-") and policy["services"] == ["payments"] and policy["team"] == "payments-team"
    assert api.get(f"/oncall/escalation-policies/{policy['id']}").json() == policy
    assert api.get(f"/oncall/schedules/{schedule['id']}").json()["policies"] == [policy["id"]]

    # A service in two policies is a conflict with the policy that has it (409 naming the field and that policy).
    clash = refused(
        api.post(
            "/oncall/escalation-policies", json=policy_body(schedule["id"], name="b", services=["search", "payments"])
        ),
        409,
    )
    assert clash["field"] == "services[1]" and clash["details"]["policy_id"] == policy["id"]
    # The schedule a policy pages is not deleted from under it.
    held = refused(api.delete(f"/oncall/schedules/{schedule['id']}"), 409)
    assert held["details"]["policies"] == [policy["id"]]

    # Replaced: the service moves, the schedule is no longer named; another policy may take payments now.
    moved = api.put(
        f"/oncall/escalation-policies/{policy['id']}",
        json=policy_body(schedule["id"], services=["search"], levels=[{"targets": [{"user": "eve"}]}], repeat=0),
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["services"] == ["search"] and moved.json()["version"] == 2
    assert api.get(f"/oncall/schedules/{schedule['id']}").json()["policies"] == []
    other = created(api, "/oncall/escalation-policies", policy_body(schedule["id"], name="b"))
    assert api.delete(f"/oncall/escalation-policies/{other['id']}").json() == {"id": other["id"], "deleted": True}
    assert api.delete(f"/oncall/schedules/{schedule['id']}").status_code == 200
    listed = api.get("/oncall/escalation-policies").json()
    assert [item["id"] for item in listed["policies"]] == [policy["id"]]


def test_current_and_the_preview_answer_seed_001s_shapes(api: httpx.Client):
    now = datetime.now(UTC)
    start = (now - timedelta(days=3)).date().isoformat()
    schedule = created(
        api,
        "/oncall/schedules",
        {
            "name": "primary",
            "time_zone": "UTC",
            "layers": [{"participants": ["dave"], "rotation": "weekly", "handoff_time": "00:00", "start": start}],
        },
    )
    created(api, "/oncall/escalation-policies", policy_body(schedule["id"]))
    current = api.get("/oncall/current?service=payments")
    assert current.status_code == 200, current.text
    body = current.json()
    assert {key: body[key] for key in ("service", "oncall", "team", "escalation_contact", "rotation_index")} == {
        "service": "payments",
        "oncall": "dave",
        "team": "payments-team",
        "escalation_contact": "eve",
        "rotation_index": 0,
    }
    assert body["week_number"] == now.isocalendar().week and body["schedule_id"] == schedule["id"]
    assert body["until"].endswith("Z") and body["responders"] == ["dave"]
    assert refused(api.get("/oncall/current?service=unknown"), 404)["field"] == "service"
    assert refused(api.get("/oncall/current"))["field"].endswith("service")

    preview = api.get("/notifications/escalation?service=payments&minutes_elapsed=20")
    assert preview.status_code == 200, preview.text
    seen = preview.json()
    assert (seen["level"], seen["round"], seen["paged"], seen["next_paged"]) == (2, 1, ["eve"], ["dave"])
    assert (seen["next_level"], seen["next_round"], seen["next_at_minutes"], seen["next_in_minutes"]) == (1, 2, 45, 25)
    assert seen["targets"] == [{"type": "user", "id": "eve", "name": "eve", "person": "eve"}]
    assert seen["next_targets"] == [{"type": "schedule", "id": schedule["id"], "name": "primary", "person": "dave"}]
    last = api.get("/notifications/escalation?service=payments&minutes_elapsed=500").json()
    assert (last["level"], last["round"], last["exhausted"], last["next_level"]) == (2, 2, True, None)
    assert refused(api.get("/notifications/escalation?service=payments&minutes_elapsed=-1"))["field"].endswith(
        "minutes_elapsed"
    )


def test_another_workspaces_schedule_is_not_found(api: httpx.Client, base_url: str):
    schedule = created(api, "/oncall/schedules", SCHEDULE)
    with httpx.Client(base_url=base_url, headers={"X-Workspace-Id": "ws-someone-else"}, timeout=60) as other:
        refused(other.get(f"/oncall/schedules/{schedule['id']}"), 404)
        refused(other.delete(f"/oncall/schedules/{schedule['id']}"), 404)
        assert (
            refused(
                other.post("/oncall/escalation-policies", json=policy_body(schedule["id"], services=["elsewhere"]))
            )["field"]
            == "levels[0].targets[0].schedule"
        )
