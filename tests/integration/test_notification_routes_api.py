"""GET /notifications/routes (seed 001) over real HTTP against the local stack: the built-in defaults in seed 001's
shape, the workspace's rules and channels beside them; a routes file (NOTIFICATION_ROUTES_FILE) read over the
built-in routes, its rules naming channels by name; a bad file refused at start naming the key."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from aisre.notifications.model.events import EventType, NotificationEvent

ROUTES_FILE = """
default_rules:
  warning: [slack, email]
service_overrides:
  payments:
    critical: [slack, pagerduty, email, teams]
rules:
  - name: db-team
    match: {labels: {team: db}}
    channels: [DB-Mail]
"""


@pytest.fixture(scope="module")
def routes_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("routes") / "routes.yaml"
    path.write_text(ROUTES_FILE)
    return path


@pytest.fixture(scope="module")
def file_url(serve_with_settings: Any, routes_file: Path) -> Iterator[str]:
    with serve_with_settings(notification_routes_file=str(routes_file), outbound_allow_private_networks=True) as url:
        yield url


def test_the_default_routes_are_seed_001s(api: httpx.Client) -> None:
    response = api.get("/notifications/routes")
    assert response.status_code == 200, response.text
    assert response.json() == {
        "default_rules": {
            "critical": ["slack", "pagerduty", "email"],
            "high": ["slack", "email"],
            "warning": ["slack"],
            "info": ["log"],
        },
        "service_overrides": {},
        "registered_adapters": ["email", "opsgenie", "pagerduty", "slack", "teams", "telegram", "webhook"],
        "rules": [],
        "channels": {},
    }


def test_the_workspaces_rules_and_enabled_channels_are_shown(api: httpx.Client) -> None:
    mail = api.post(
        "/api/v1/notifications/channels", json={"name": "m", "type": "email", "config": {"to": ["a@example.com"]}}
    ).json()["id"]
    api.post(
        "/api/v1/notifications/channels",
        json={"name": "off", "type": "email", "config": {"to": ["b@example.com"]}, "enabled": False},
    )
    created = api.post(
        "/api/v1/notifications/rules", json={"name": "db", "match": {"labels": {"team": "db"}}, "channels": [mail]}
    )
    assert created.status_code == 201
    routes = api.get("/notifications/routes").json()
    assert routes["channels"] == {"email": [mail]}
    assert routes["rules"] == [
        {
            "id": created.json()["id"],
            "name": "db",
            "source": "api",
            "match": {"severity": [], "service": None, "labels": {"team": "db"}},
            "channels": [mail],
            "continue": False,
            "enabled": True,
            "position": 0,
        }
    ]


def test_a_routes_file_is_read_over_the_builtin_routes(file_url: str, workspace: str) -> None:
    with httpx.Client(base_url=file_url, headers={"X-Workspace-Id": workspace}, timeout=60) as http:
        routes = http.get("/notifications/routes").json()
        assert routes["default_rules"]["warning"] == ["slack", "email"]
        assert routes["default_rules"]["critical"] == ["slack", "pagerduty", "email"]
        assert routes["service_overrides"] == {"payments": {"critical": ["slack", "pagerduty", "email", "teams"]}}
        assert [(rule["name"], rule["source"], rule["channels"]) for rule in routes["rules"]] == [
            ("db-team", "file", ["DB-Mail"])
        ]
        # The private-networks setting lets a channel post to a receiver on this machine.
        local = http.post(
            "/api/v1/notifications/channels",
            json={"name": "local-teams", "type": "teams", "config": {"webhook_url": "http://127.0.0.1:9/hook"}},
        )
        assert local.status_code == 201, local.text


def test_the_files_rules_route_to_the_workspaces_channel_of_that_name(
    api: httpx.Client, routes_file: Path, workspace: str
) -> None:
    from aisre.core.scope import Scope
    from aisre.core.settings import get_settings
    from aisre.notifications.providers import routing_service

    created = api.post(
        "/api/v1/notifications/channels",
        json={"name": "db-mail", "type": "email", "config": {"to": ["db@example.com"]}},
    )
    assert created.status_code == 201
    scope = Scope(get_settings().model_copy(update={"notification_routes_file": str(routes_file)}))
    event = NotificationEvent(
        event_id="ev-file",
        event_type=EventType.INCIDENT_OPENED,
        workspace_id=workspace,
        occurred_at=datetime.now(UTC),
        severity="info",
        title="db is slow",
        labels={"team": "db"},
    )
    route = scope.get(routing_service).route(event)
    assert [channel.id for channel in route.channels] == [created.json()["id"]]
    assert route.matched_rules == ("file:db-team",)


def test_a_bad_routes_file_is_refused_at_start_naming_the_key(tmp_path: Path) -> None:
    from aisre.core.scope import Scope
    from aisre.core.settings import get_settings
    from aisre.notifications.errors import RoutesFileError
    from aisre.notifications.providers import default_routes

    bad = tmp_path / "routes.yaml"
    bad.write_text("default_rules:\n  critical: [slack, pager]\n")
    scope = Scope(get_settings().model_copy(update={"notification_routes_file": str(bad)}))
    with pytest.raises(RoutesFileError) as raised:
        scope.get(default_routes)
    assert raised.value.field == "default_rules.critical[1]"
