"""Routing rules over real HTTP against the local stack (seed 002 /api/v1/notifications/rules): created 201 with an
id in order, moved by `position`, changed and deleted; a rule naming a channel the workspace has not is a 422
naming `channels[i]` with nothing stored; a channel a rule names cannot be deleted (409 naming the rule); and the
routing service sends an event where the rules say, at once after a change."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from aisre.notifications.model.events import EventType, NotificationEvent

CHANNELS = "/api/v1/notifications/channels"
RULES = "/api/v1/notifications/rules"


def channel(api: httpx.Client, name: str, kind: str = "email") -> str:
    configs = {
        "email": {"to": [f"{name}@example.com"]},
        "slack": {"webhook_url": "https://hooks.slack.com/services/T/B/x"},
        "pagerduty": {"routing_key": "R0123456789"},
    }
    response = api.post(CHANNELS, json={"name": name, "type": kind, "config": configs[kind]})
    assert response.status_code == 201, response.text
    channel_id: str = response.json()["id"]
    return channel_id


def rule(api: httpx.Client, name: str, channels: list[str], **body: Any) -> dict[str, Any]:
    response = api.post(RULES, json={"name": name, "channels": channels} | body)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def order(api: httpx.Client) -> list[str]:
    listed = api.get(RULES)
    assert listed.status_code == 200
    assert [item["position"] for item in listed.json()["rules"]] == list(range(listed.json()["count"]))
    return [item["name"] for item in listed.json()["rules"]]


def test_rules_are_created_in_order_and_moved_by_position(api: httpx.Client) -> None:
    mail = channel(api, "mail")
    first = rule(
        api,
        "payments-critical",
        [mail],
        match={"severity": ["critical"], "service": "payments", "labels": {"team": "~pay.*"}},
        **{"continue": True},
    )
    assert first["id"].startswith("rule-") and first["position"] == 0
    assert first["match"] == {"severity": ["critical"], "service": "payments", "labels": {"team": "~pay.*"}}
    assert first["continue"] is True and first["enabled"] is True and first["channels"] == [mail]
    assert first["created_at"].endswith("Z")
    rule(api, "second", [mail])
    placed = rule(api, "zeroth", [], position=0)
    assert placed["position"] == 0
    assert order(api) == ["zeroth", "payments-critical", "second"]

    moved = api.put(f"{RULES}/{placed['id']}", json={"position": 5, "enabled": False})
    assert moved.status_code == 200 and moved.json()["position"] == 2 and moved.json()["enabled"] is False
    assert order(api) == ["payments-critical", "second", "zeroth"]
    read = api.get(f"{RULES}/{placed['id']}")
    assert read.status_code == 200 and read.json()["position"] == 2

    changed = api.put(f"{RULES}/{first['id']}", json={"match": {"labels": {"env": "prod"}}, "continue": False})
    assert changed.status_code == 200
    assert changed.json()["match"] == {"severity": [], "service": None, "labels": {"env": "prod"}}
    assert changed.json()["continue"] is False and changed.json()["name"] == "payments-critical"

    deleted = api.delete(f"{RULES}/{first['id']}")
    assert deleted.status_code == 200 and deleted.json() == {"id": first["id"], "deleted": True}
    assert order(api) == ["second", "zeroth"]
    assert api.get(f"{RULES}/{first['id']}").status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"channels": ["$mail", "ch-0000000000000000"]}, "channels[1]"),
        ({"channels": ["$mail", "$mail"]}, "channels[1]"),
        ({"channels": ["$mail"], "match": {"severity": ["urgent"]}}, "match.severity[0]"),
        ({"channels": ["$mail"], "match": {"labels": {"team": "~(db"}}}, "match.labels.team"),
        ({"channels": ["$mail"], "match": {"service": "~[z-a]"}}, "match.service"),
        ({"channels": ["$mail"], "match": {"label": {"team": "db"}}}, "match.label"),
        ({"channels": ["$mail"], "match": {"labels": {"team": 5}}}, "match.labels.team"),
        ({"channels": "$mail"}, "channels"),
        ({"channels": ["$mail"], "position": -1}, "position"),
        ({"channels": ["$mail"], "continue": "sometimes"}, "continue"),
        ({"channels": ["$mail"], "name": ""}, "name"),
        ({"channels": ["$mail"], "match": {"labels": {"team": "db\udc00"}}}, "match.labels.team"),
    ],
)
def test_a_bad_rule_is_a_422_naming_the_field_and_nothing_is_stored(
    api: httpx.Client, body: dict[str, Any], field: str
) -> None:
    mail = channel(api, "mail")
    filled = {"name": "r"} | {
        key: [mail if ref == "$mail" else ref for ref in value]
        if key == "channels" and isinstance(value, list)
        else value
        for key, value in body.items()
    }
    # Sent as JSON text with escapes: a lone surrogate is valid JSON that no UTF-8 encoder writes raw.
    response = api.post(RULES, content=json.dumps(filled), headers={"Content-Type": "application/json"})
    assert response.status_code == 422, response.text
    assert response.json()["error"]["field"] == field
    assert api.get(RULES).json() == {"rules": [], "count": 0}


def test_an_update_naming_a_missing_channel_changes_nothing(api: httpx.Client) -> None:
    mail = channel(api, "mail")
    created = rule(api, "r", [mail])
    refused = api.put(f"{RULES}/{created['id']}", json={"channels": [mail, "ch-missing"], "name": "renamed"})
    assert refused.status_code == 422 and refused.json()["error"]["field"] == "channels[1]"
    assert api.get(f"{RULES}/{created['id']}").json()["name"] == "r"


def test_names_are_unique_and_other_workspaces_see_nothing(api: httpx.Client, base_url: str) -> None:
    created = rule(api, "db-team", [])
    taken = api.post(RULES, json={"name": "DB-team", "channels": []})
    assert taken.status_code == 409 and taken.json()["error"]["field"] == "name"
    other = {"X-Workspace-Id": f"ws-{uuid.uuid4().hex[:12]}"}
    with httpx.Client(base_url=base_url, headers=other, timeout=60) as elsewhere:
        assert elsewhere.get(f"{RULES}/{created['id']}").status_code == 404
        assert elsewhere.put(f"{RULES}/{created['id']}", json={"enabled": False}).status_code == 404
        assert elsewhere.delete(f"{RULES}/{created['id']}").status_code == 404
        assert elsewhere.get(RULES).json()["count"] == 0
    assert api.get(f"{RULES}/{created['id']}").json()["enabled"] is True


def test_a_channel_that_rules_name_cannot_be_deleted_until_they_stop_naming_it(api: httpx.Client) -> None:
    mail = channel(api, "mail")
    pager = channel(api, "pager", "pagerduty")
    naming = rule(api, "page-db", [pager, mail])
    refused = api.delete(f"{CHANNELS}/{mail}")
    assert refused.status_code == 409, refused.text
    error = refused.json()["error"]
    assert error["type"] == "ChannelInUseError" and "page-db" in error["message"]
    assert error["details"]["rules"] == [{"id": naming["id"], "name": "page-db"}]
    assert api.get(f"{CHANNELS}/{mail}").status_code == 200

    assert api.put(f"{RULES}/{naming['id']}", json={"channels": [pager]}).status_code == 200
    assert api.delete(f"{CHANNELS}/{mail}").status_code == 200
    assert api.delete(f"{RULES}/{naming['id']}").status_code == 200
    assert api.delete(f"{CHANNELS}/{pager}").status_code == 200


def _event(workspace: str, severity: str, service: str | None = None, **labels: str) -> NotificationEvent:
    return NotificationEvent(
        event_id=f"ev-{uuid.uuid4().hex[:8]}",
        event_type=EventType.INCIDENT_OPENED,
        workspace_id=workspace,
        occurred_at=datetime.now(UTC),
        severity=severity,
        title="checkout is down",
        service=service,
        labels=labels,
    )


def test_the_routing_service_sends_where_the_rules_say_at_once_after_a_change(
    api: httpx.Client, workspace: str
) -> None:
    from aisre.core.scope import default_scope
    from aisre.notifications.providers import routing_service

    routing = default_scope().get(routing_service)
    slack = channel(api, "ops-slack", "slack")
    mail = channel(api, "oncall-mail")
    pager = channel(api, "pager", "pagerduty")

    def routed(event: NotificationEvent) -> list[str]:
        return [item.id for item in routing.channels_for(event)]

    # No rule: the defaults (critical -> slack, pagerduty, email; info -> log).
    assert routed(_event(workspace, "critical")) == [slack, pager, mail]
    assert routed(_event(workspace, "info")) == []
    # The channels handed on carry no secret value: the worker reads them through ChannelLookup.
    for handed in routing.channels_for(_event(workspace, "critical")):
        assert "services/T/B" not in str(handed.config) and dict(handed.config) == handed.masked_config()

    db = rule(api, "db", [pager], match={"labels": {"team": "db"}}, **{"continue": True})
    rule(api, "prod-db", [mail], match={"labels": {"env": "~prod.*"}})
    assert routed(_event(workspace, "warning", team="db", env="production")) == [pager, mail]
    assert routed(_event(workspace, "warning", team="db", env="staging")) == [pager]
    assert routed(_event(workspace, "warning", team="web")) == [slack]

    # A disabled channel is left out; the rule still decides (no fallback to the defaults).
    assert api.put(f"{CHANNELS}/{pager}", json={"enabled": False}).status_code == 200
    assert routed(_event(workspace, "warning", team="db", env="staging")) == []
    assert api.put(f"{RULES}/{db['id']}", json={"enabled": False}).status_code == 200
    assert routed(_event(workspace, "warning", team="db", env="staging")) == [slack]
