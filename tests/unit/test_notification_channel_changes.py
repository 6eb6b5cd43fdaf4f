"""A channel's config as a create or update leaves it (notifications/model/channel_changes.py), and the in-app
notifications' ids (model/inbox.py): ordered by arrival, one per event and principal, read below a boundary."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aisre.notifications.errors import ChannelConfigError
from aisre.notifications.model.channel_changes import changed_config, new_config, split_secrets, without_secrets
from aisre.notifications.model.channels import MASK, ChannelType, mask_config
from aisre.notifications.model.events import EventType, NotificationEvent
from aisre.notifications.model.inbox import inbox_item, item_id, read_boundary

HOOK = "https://hooks.slack.com/services/T000/B000/secret-part"


def test_a_masked_secret_sent_back_keeps_the_stored_one() -> None:
    current = {"webhook_url": HOOK}
    masked = mask_config(ChannelType.SLACK, current)
    assert masked["webhook_url"] == f"https://hooks.slack.com/{MASK}"
    kept = changed_config(ChannelType.SLACK, ChannelType.SLACK, current, masked, allow_http=False)
    assert kept == current


def test_a_new_secret_value_replaces_the_stored_one() -> None:
    current = {"routing_key": "old-key"}
    changed = changed_config(
        ChannelType.PAGERDUTY, ChannelType.PAGERDUTY, current, {"routing_key": "new-key"}, allow_http=False
    )
    assert changed == {"routing_key": "new-key"}


SLACK, TEAMS = ChannelType.SLACK, ChannelType.TEAMS
BOT = {"bot_token": "xoxb-1", "channel": "#ops"}


@pytest.mark.parametrize(
    ("kind", "current_kind", "current", "update", "field"),
    [
        # A masked value for a key the channel never had would be stored as the secret itself.
        (SLACK, SLACK, BOT, {"webhook_url": f"https://h/{MASK}"}, "config.webhook_url"),
        # Another type's secret means something else: a masked one is not carried over.
        (TEAMS, SLACK, {"webhook_url": HOOK}, {"webhook_url": f"https://hooks.slack.com/{MASK}"}, "config.webhook_url"),
        (SLACK, SLACK, {"webhook_url": HOOK}, ["webhook_url"], "config"),
        (SLACK, SLACK, {"webhook_url": HOOK}, {"webhook_url": "http://hooks.slack.com/x"}, "config.webhook_url"),
    ],
)
def test_an_update_that_cannot_be_kept_names_the_field(
    kind: ChannelType, current_kind: ChannelType, current: dict, update: object, field: str
) -> None:
    with pytest.raises(ChannelConfigError) as raised:
        changed_config(kind, current_kind, current, update, allow_http=False)
    assert raised.value.field == field


def test_a_masked_value_is_refused_at_creation_too() -> None:
    with pytest.raises(ChannelConfigError) as raised:
        new_config(ChannelType.OPSGENIE, {"api_key": MASK}, allow_http=False)
    assert raised.value.field == "config.api_key"


def test_a_config_is_bounded() -> None:
    many = [f"person{n}@example.com" for n in range(1000)]
    with pytest.raises(ChannelConfigError) as raised:
        new_config(ChannelType.EMAIL, {"to": many}, allow_http=False)
    assert raised.value.field == "config"


def test_secrets_and_the_rest_are_split() -> None:
    config = {"bot_token": "xoxb-1", "channel": "#ops", "webhook_url": HOOK}
    assert split_secrets(ChannelType.SLACK, config) == {"bot_token": "xoxb-1", "webhook_url": HOOK}
    assert without_secrets(ChannelType.SLACK, config) == {"channel": "#ops"}


def _event(event_id: str) -> NotificationEvent:
    return NotificationEvent(
        event_id, EventType.INCIDENT_OPENED, "ws", datetime(2026, 1, 1, tzinfo=UTC), "critical", "checkout down"
    )


_moments = st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC))


@given(_moments, _moments, st.text(min_size=1, max_size=20))
def test_ids_sort_as_arrival_does_and_a_boundary_covers_what_arrived_before_it(
    first: datetime, second: datetime, event_id: str
) -> None:
    earlier, later = sorted((first, second))
    if earlier != later:
        assert item_id(earlier, event_id, "alice") < item_id(later, "other", "alice")
    assert item_id(earlier, event_id, "alice") < read_boundary(earlier)
    assert item_id(earlier + timedelta(microseconds=1), event_id, "alice") > read_boundary(earlier)


def test_one_event_is_one_item_per_principal() -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    assert item_id(now, "ev-1", "alice") == item_id(now, "ev-1", "alice")
    assert item_id(now, "ev-1", "alice") != item_id(now, "ev-1", "bob")
    item = inbox_item("ws", "alice", _event("ev-1"), now)
    assert (
        not item.read_by(None)
        and item.read_by(read_boundary(now))
        and not item.read_by(read_boundary(now - timedelta(seconds=1)))
    )
