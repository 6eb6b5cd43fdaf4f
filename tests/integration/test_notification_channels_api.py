"""Notification channels over real HTTP against the local stack (seed 002 /api/v1/notifications/channels): created
201 with an id, read, listed, updated and deleted; secret values kept in Secrets Manager (the emulator's), one
secret per channel, never in the table item and masked in every answer; a masked value sent back keeps the secret;
bad input is a 422 naming the field with nothing stored; names are unique; another workspace's id is a 404."""

from __future__ import annotations

import json
import uuid
from typing import Any

import boto3
import httpx
import pytest

from aisre.core.settings import get_settings

CHANNELS = "/api/v1/notifications/channels"
HOOK = "https://hooks.slack.com/services/T000/B000/the-secret-part"
MASKED_HOOK = "https://hooks.slack.com/********"


@pytest.fixture(scope="module")
def aws(local_stack: Any) -> dict[str, Any]:
    settings = get_settings()

    def client(service: str, endpoint: str | None) -> Any:
        return boto3.client(service, endpoint_url=endpoint, region_name=settings.aws_region)

    return {
        "secrets": client("secretsmanager", settings.aws_endpoint_url),
        "dynamodb": client("dynamodb", settings.dynamodb_endpoint),
        "table": settings.table_name,
        "prefix": settings.channel_secret_prefix,
    }


def secret_of(aws: dict[str, Any], workspace: str, channel_id: str) -> dict[str, str]:
    answer = aws["secrets"].get_secret_value(SecretId=f"{aws['prefix']}/{workspace}/{channel_id}")
    return json.loads(answer["SecretString"])


def table_item(aws: dict[str, Any], workspace: str, channel_id: str) -> dict[str, Any]:
    key = {"pk": {"S": f"WS#{workspace}#NOTIFY"}, "sk": {"S": f"CH#{channel_id}"}}
    item: dict[str, Any] = aws["dynamodb"].get_item(TableName=aws["table"], Key=key, ConsistentRead=True)["Item"]
    return item


def create(api: httpx.Client, **body: Any) -> dict[str, Any]:
    response = api.post(CHANNELS, json={"name": "ops-slack", "type": "slack", "config": {"webhook_url": HOOK}} | body)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def test_a_channel_is_created_read_and_listed_with_its_secret_masked_and_kept_in_secrets_manager(
    api: httpx.Client, workspace: str, aws: dict[str, Any]
) -> None:
    created = create(api)
    channel_id = created["id"]
    assert channel_id.startswith("ch-")
    assert created["name"] == "ops-slack" and created["type"] == "slack" and created["enabled"] is True
    assert created["config"] == {"webhook_url": MASKED_HOOK}
    assert created["secret_keys"] == ["bot_token", "webhook_url"]
    assert created["created_at"].endswith("Z") and created["version"] == 1

    read = api.get(f"{CHANNELS}/{channel_id}")
    assert read.status_code == 200 and read.json()["config"] == {"webhook_url": MASKED_HOOK}
    listed = api.get(CHANNELS)
    assert listed.status_code == 200
    assert [(item["id"], item["config"]) for item in listed.json()["channels"]] == [
        (channel_id, {"webhook_url": MASKED_HOOK})
    ]
    for answer in (created, read.json(), listed.json()):
        assert "the-secret-part" not in json.dumps(answer)

    # The secret is in Secrets Manager, one secret per channel, and nowhere in the table's item.
    assert secret_of(aws, workspace, channel_id) == {"webhook_url": HOOK}
    item = table_item(aws, workspace, channel_id)
    assert "the-secret-part" not in json.dumps(item)
    assert item["secret_name"]["S"] == f"{aws['prefix']}/{workspace}/{channel_id}"


def test_the_delivery_worker_reads_the_channel_with_its_secret(api: httpx.Client, workspace: str) -> None:
    from aisre.core.scope import default_scope
    from aisre.notifications.providers import channel_service

    channel_id = create(api, config={"bot_token": "xoxb-secret", "channel": "#ops"})["id"]
    lookup = default_scope().get(channel_service)
    channel = lookup.get_channel(workspace, channel_id)
    assert dict(channel.config) == {"bot_token": "xoxb-secret", "channel": "#ops"}
    assert [listed.config for listed in lookup.list_channels(workspace)] == [
        {"bot_token": "********", "channel": "#ops"}
    ]


def test_an_update_with_the_masked_value_keeps_the_secret_and_a_new_value_replaces_it(
    api: httpx.Client, workspace: str, aws: dict[str, Any]
) -> None:
    created = create(api)
    channel_id = created["id"]
    # As a client would: read, change the name and turn it off, send the config back as it was shown.
    updated = api.put(
        f"{CHANNELS}/{channel_id}", json={"name": "ops-slack-2", "enabled": False, "config": created["config"]}
    )
    assert updated.status_code == 200, updated.text
    assert updated.json()["name"] == "ops-slack-2" and updated.json()["enabled"] is False
    assert updated.json()["config"] == {"webhook_url": MASKED_HOOK} and updated.json()["version"] == 2
    assert secret_of(aws, workspace, channel_id) == {"webhook_url": HOOK}

    other = "https://hooks.slack.com/services/T000/B000/another-secret"
    replaced = api.put(f"{CHANNELS}/{channel_id}", json={"config": {"webhook_url": other}})
    assert replaced.status_code == 200 and replaced.json()["config"] == {"webhook_url": MASKED_HOOK}
    assert "another-secret" not in replaced.text
    assert secret_of(aws, workspace, channel_id) == {"webhook_url": other}
    assert "another-secret" not in json.dumps(table_item(aws, workspace, channel_id))

    # Only `enabled`: the config stays as it is.
    toggled = api.put(f"{CHANNELS}/{channel_id}", json={"enabled": True})
    assert toggled.status_code == 200 and toggled.json()["enabled"] is True
    assert secret_of(aws, workspace, channel_id) == {"webhook_url": other}


def test_a_channel_without_secret_values_has_no_secret(api: httpx.Client, workspace: str, aws: dict[str, Any]) -> None:
    created = create(api, name="oncall-mail", type="email", config={"to": ["oncall@example.com"]})
    assert created["config"] == {"to": ["oncall@example.com"]} and created["secret_keys"] == []
    with pytest.raises(aws["secrets"].exceptions.ResourceNotFoundException):
        secret_of(aws, workspace, created["id"])
    assert "secret_name" not in table_item(aws, workspace, created["id"])


def test_changing_the_type_replaces_the_config_and_drops_a_secret_no_longer_needed(
    api: httpx.Client, workspace: str, aws: dict[str, Any]
) -> None:
    channel_id = create(api)["id"]
    without_config = api.put(f"{CHANNELS}/{channel_id}", json={"type": "email"})
    assert without_config.status_code == 422 and without_config.json()["error"]["field"] == "config"
    changed = api.put(f"{CHANNELS}/{channel_id}", json={"type": "email", "config": {"to": ["a@example.com"]}})
    assert changed.status_code == 200, changed.text
    assert changed.json()["type"] == "email" and changed.json()["config"] == {"to": ["a@example.com"]}
    with pytest.raises(aws["secrets"].exceptions.ResourceNotFoundException):
        secret_of(aws, workspace, channel_id)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "x", "type": "fax", "config": {}}, "type"),
        ({"name": "x", "type": "slack", "config": {"webhook_url": "http://hooks.slack.com/x"}}, "config.webhook_url"),
        ({"name": "x", "type": "slack", "config": {"webhook_url": "not a url"}}, "config.webhook_url"),
        ({"name": "x", "type": "slack", "config": {"webhook": HOOK}}, "config.webhook"),
        ({"name": "x", "type": "slack", "config": {"bot_token": "xoxb-1"}}, "config.channel"),
        ({"name": "x", "type": "teams", "config": {}}, "config.webhook_url"),
        ({"name": "x", "type": "email", "config": {"to": ["not-an-address"]}}, "config.to"),
        ({"name": "x", "type": "pagerduty", "config": {"routing_key": "********"}}, "config.routing_key"),
        ({"name": "x", "type": "telegram", "config": {"bot_token": "1:abc"}}, "config.chat_id"),
        ({"name": "x", "type": "opsgenie", "config": ["api_key"]}, "config"),
        ({"name": "", "type": "email", "config": {"to": ["a@example.com"]}}, "name"),
        ({"type": "email", "config": {"to": ["a@example.com"]}}, "name"),
        ({"name": "\ud800ops", "type": "email", "config": {"to": ["a@example.com"]}}, "name"),
        ({"name": "ops\nmail", "type": "email", "config": {"to": ["a@example.com"]}}, "name"),
        ({"name": "x", "type": "email", "config": {"to": ["a@example.com"]}, "colour": "red"}, "colour"),
    ],
)
def test_bad_input_is_a_422_naming_the_field_and_nothing_is_stored(
    api: httpx.Client, body: dict[str, Any], field: str
) -> None:
    # Sent as JSON text with escapes: a lone surrogate is valid JSON that no UTF-8 encoder writes raw.
    response = api.post(CHANNELS, content=json.dumps(body), headers={"Content-Type": "application/json"})
    assert response.status_code == 422, response.text
    assert response.json()["error"]["field"] == field
    assert api.get(CHANNELS).json()["count"] == 0


def test_a_bad_update_is_a_422_and_changes_nothing(api: httpx.Client, workspace: str, aws: dict[str, Any]) -> None:
    channel_id = create(api)["id"]
    refused = api.put(f"{CHANNELS}/{channel_id}", json={"config": {"webhook_url": "ftp://example.com/x"}})
    assert refused.status_code == 422 and refused.json()["error"]["field"] == "config.webhook_url"
    assert api.get(f"{CHANNELS}/{channel_id}").json()["version"] == 1
    assert secret_of(aws, workspace, channel_id) == {"webhook_url": HOOK}


def test_names_are_unique_in_a_workspace_whatever_their_case(api: httpx.Client) -> None:
    first = create(api)
    taken = api.post(CHANNELS, json={"name": "OPS-Slack", "type": "email", "config": {"to": ["a@example.com"]}})
    assert taken.status_code == 409 and taken.json()["error"]["field"] == "name"
    second = create(api, name="other")
    renamed = api.put(f"{CHANNELS}/{second['id']}", json={"name": "ops-slack"})
    assert renamed.status_code == 409 and renamed.json()["error"]["field"] == "name"
    # Renaming a channel to its own name in another case is allowed, and frees nothing else's name.
    assert api.put(f"{CHANNELS}/{first['id']}", json={"name": "Ops-Slack"}).status_code == 200
    assert api.get(CHANNELS).json()["count"] == 2


def test_a_deleted_channel_and_its_secret_are_gone_and_its_name_is_free(
    api: httpx.Client, workspace: str, aws: dict[str, Any]
) -> None:
    channel_id = create(api)["id"]
    deleted = api.delete(f"{CHANNELS}/{channel_id}")
    assert deleted.status_code == 200 and deleted.json() == {"id": channel_id, "deleted": True}
    assert api.get(f"{CHANNELS}/{channel_id}").status_code == 404
    assert api.delete(f"{CHANNELS}/{channel_id}").status_code == 404
    with pytest.raises(aws["secrets"].exceptions.ResourceNotFoundException):
        secret_of(aws, workspace, channel_id)
    assert create(api)["id"] != channel_id


def test_another_workspaces_channel_is_a_404(api: httpx.Client, base_url: str) -> None:
    channel_id = create(api)["id"]
    other = {"X-Workspace-Id": f"ws-{uuid.uuid4().hex[:12]}"}
    with httpx.Client(base_url=base_url, headers=other, timeout=60) as elsewhere:
        for method in ("GET", "DELETE"):
            answer = elsewhere.request(method, f"{CHANNELS}/{channel_id}")
            assert answer.status_code == 404 and answer.json()["error"]["field"] == "channel_id"
        changed = elsewhere.put(f"{CHANNELS}/{channel_id}", json={"enabled": False})
        assert changed.status_code == 404
        assert elsewhere.get(CHANNELS).json() == {"channels": [], "count": 0}
    assert api.get(f"{CHANNELS}/{channel_id}").json()["enabled"] is True


def test_the_channel_routes_are_not_taken_for_a_notifications_id(api: httpx.Client) -> None:
    # PUT /api/v1/notifications/{id}/read would match .../channels/read with id "channels".
    answer = api.put(f"{CHANNELS}/read", json={"enabled": False})
    assert answer.status_code == 404 and answer.json()["error"]["field"] == "channel_id"
