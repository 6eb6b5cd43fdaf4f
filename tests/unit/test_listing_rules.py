"""The rules behind reading listings by key: merging partitions newest first, position cursors, noisy
candidates and their duration groups, and what a resolution writes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aisre.core.errors import ValidationError
from aisre.core.table.paging import decode_position_cursor, encode_position_cursor
from aisre.incidents.model.alert import Severity
from aisre.incidents.model.correlation import OpenFingerprint
from aisre.incidents.model.incident import ActionRecord, Incident, IncidentState
from aisre.incidents.model.noisy import NOISY_MAX_DURATION_MINUTES, is_noisy_candidate
from aisre.incidents.store import keys
from aisre.incidents.store.listing import _newest
from aisre.incidents.store.transitions import resolution

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


# --- merging partitions ------------------------------------------------------------------------------


def _partition(keys_in_it: list[str], reads: list[str | None]) -> Callable[[str | None], tuple[list[str], bool]]:
    """A partition of sort keys, read newest first, `limit`-free (the reader is asked for all above a bound)."""
    newest_first = sorted(keys_in_it, reverse=True)

    def read(newer_than: str | None) -> tuple[list[str], bool]:
        reads.append(newer_than)
        return [key for key in newest_first if newer_than is None or key > newer_than], False

    return read


@given(
    st.lists(st.sets(st.integers(0, 500), max_size=40), min_size=1, max_size=3),
    st.integers(1, 25),
)
def test_the_merge_is_the_newest_of_the_union(partitions: list[set[int]], limit: int) -> None:
    keys_of = [[f"{n:04d}#{index}" for n in part] for index, part in enumerate(partitions)]
    readers = [_partition(part, []) for part in keys_of]
    page, more = _newest(readers, limit, lambda key: key)
    everything = sorted((key for part in keys_of for key in part), reverse=True)
    assert page == everything[:limit]
    # More when there is more; none after a short page. With exactly `limit`, a partition read above the
    # page's oldest item may still hold older ones as far as the merge knows: it may say more (one more,
    # empty, page), as DynamoDB's LastEvaluatedKey does.
    if len(everything) > limit:
        assert more
    if len(everything) < limit:
        assert not more


def test_later_partitions_are_asked_only_for_what_is_newer_than_the_page() -> None:
    reads: list[str | None] = []
    resolved = _partition([f"{n:03d}" for n in range(100, 200)], reads)
    still_open = _partition(["150x", "198x", "050x"], reads)
    page, more = _newest([resolved, still_open], 5, lambda key: key)
    assert page == ["199", "198x", "198", "197", "196"]
    assert reads == [None, "195"]  # the second read starts above the first read's fifth newest
    assert more


def test_the_item_at_the_cursor_and_an_item_read_twice_are_listed_once() -> None:
    moved = _partition(["300", "200"], [])
    also_there = _partition(["300", "250"], [])  # "300" changed partition between the two reads
    page, _more = _newest([moved, also_there], 10, lambda key: key, exclude="250")
    assert page == ["300", "200"]


def test_a_partition_that_may_hold_more_means_a_next_page() -> None:
    def full(_newer_than: str | None) -> tuple[list[str], bool]:
        return ["3", "2"], True  # LastEvaluatedKey: maybe more

    assert _newest([full], 2, lambda key: key) == (["3", "2"], True)
    assert _newest([full], 3, lambda key: key) == (["3", "2"], False)  # a short page is the last


# --- position cursors ----------------------------------------------------------------------------------


def test_a_position_cursor_holds_its_position_for_its_listing_only() -> None:
    cursor = encode_position_cursor("incidents|ws-a|open", "2026-03-01T12:00:00.000000Z#inc-1")
    assert decode_position_cursor(cursor, listing="incidents|ws-a|open") == "2026-03-01T12:00:00.000000Z#inc-1"
    for other in ("incidents|ws-b|open", "incidents|ws-a|*", "incidents|*|open"):
        with pytest.raises(ValidationError) as refused:
            decode_position_cursor(cursor, listing=other)
        assert refused.value.field == "cursor"
    assert decode_position_cursor(None, listing="x") is None


@pytest.mark.parametrize(
    "crafted",
    [
        "!!not base64",
        "eyJsaXN0aW5nIjoieCJ9",  # {"listing":"x"}: no position
        "WzEsMl0",  # [1,2]
        encode_position_cursor("x", "a" * 257),  # longer than any sort key this API writes
        encode_position_cursor("x", ""),
    ],
)
def test_a_crafted_position_cursor_is_a_validation_error_naming_cursor(crafted: str) -> None:
    with pytest.raises(ValidationError) as refused:
        decode_position_cursor(crafted, listing="x")
    assert refused.value.field == "cursor"


# --- noisy candidates ------------------------------------------------------------------------------------


def _incident(**changes: Any) -> Incident:
    fields: dict[str, Any] = {
        "id": "inc-1",
        "workspace_id": "ws",
        "title": "Blip",
        "severity": Severity.WARNING,
        "source": "prometheus",
        "provider": "generic",
        "fingerprint": "fp",
        "created_at": NOW,
        "last_alert_at": NOW,
    }
    return Incident(**(fields | changes))


def test_noisy_candidates_are_resolved_within_a_day_with_no_action() -> None:
    quick = _incident(state=IncidentState.RESOLVED, resolved_at=NOW + timedelta(minutes=3))
    assert is_noisy_candidate(quick)
    assert not is_noisy_candidate(quick.model_copy(update={"actions_taken": 1}))
    assert not is_noisy_candidate(_incident(state=IncidentState.OPEN))
    day = timedelta(minutes=NOISY_MAX_DURATION_MINUTES)
    assert is_noisy_candidate(quick.model_copy(update={"resolved_at": NOW + day}))
    assert not is_noisy_candidate(quick.model_copy(update={"resolved_at": NOW + day + timedelta(seconds=1)}))


@pytest.mark.parametrize(
    ("seconds", "group"),
    [(0, 1), (60, 1), (61, 5), (300, 5), (301, 15), (3600, 60), (14400, 240), (86400, 1440), (86401, None)],
)
def test_noisy_groups_bound_their_durations(seconds: float, group: int | None) -> None:
    assert keys.noisy_group(seconds) == group
    assert keys.NOISY_DURATION_GROUPS_MINUTES[-1] == NOISY_MAX_DURATION_MINUTES


# --- what a resolution writes --------------------------------------------------------------------------


def _claim(**changes: Any) -> OpenFingerprint:
    fields: dict[str, Any] = {
        "incident_id": "inc-1",
        "alert_count": 4,
        "opened_at": NOW,
        "last_alert_at": NOW + timedelta(minutes=2),
    }
    return OpenFingerprint(**(fields | changes))


def _operator_action() -> ActionRecord:
    return ActionRecord(incident_id="inc-1", action="resolve", outcome="success", actor="dave", created_at=NOW)


def test_a_resolution_by_its_alert_within_a_day_writes_a_noisy_entry_with_the_final_figures() -> None:
    at = NOW + timedelta(minutes=3)
    change = resolution(_incident(), at, _claim(), None, alerts_received=1)
    entry = change.noisy_entry
    assert entry is not None
    assert (entry.alert_count, entry.resolved_at, entry.duration_seconds) == (5, at, 180)
    assert entry.gsi1pk == "WS#ws#NOISY" and entry.gsi1sk.startswith("0005#")
    assert entry.gsi2pk == "NOISY"


def test_a_resolution_with_an_action_or_after_one_writes_no_noisy_entry() -> None:
    at = NOW + timedelta(minutes=3)
    assert resolution(_incident(), at, _claim(), _operator_action(), alerts_received=0).noisy_entry is None
    acknowledged = _incident(state=IncidentState.ACKNOWLEDGED, actions_taken=1)
    assert resolution(acknowledged, at, _claim(), None, alerts_received=1).noisy_entry is None
    assert resolution(_incident(), NOW + timedelta(days=2), _claim(), None, alerts_received=1).noisy_entry is None
