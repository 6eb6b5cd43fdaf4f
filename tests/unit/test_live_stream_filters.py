"""The local emulation of Lambda's FilterCriteria (exact values and prefixes on a stream record), and the stream
records the fan-out reads from it."""

from __future__ import annotations

import json

import pytest

from aisre.live.adapters.stream_records import item_changes
from aisre.local.stream_filters import FilterError, key_patterns, matches, parse_filter_criteria, passes

PATTERN = {"eventName": ["INSERT", "MODIFY"], "dynamodb": {"Keys": {"sk": {"S": ["META", {"prefix": "ACT#"}]}}}}


def record(name: str, sk: str) -> dict[str, object]:
    return {"eventName": name, "dynamodb": {"Keys": {"pk": {"S": "WS#a#INC#i"}, "sk": {"S": sk}}}}


@pytest.mark.parametrize(
    ("name", "sk", "expected"),
    [
        ("INSERT", "META", True),
        ("MODIFY", "ACT#2026#x", True),
        ("REMOVE", "META", False),
        ("INSERT", "EV#2026#x", False),
        ("INSERT", "XACT#", False),
    ],
)
def test_exact_values_and_prefixes(name: str, sk: str, expected: bool) -> None:
    assert matches(PATTERN, record(name, sk)) is expected
    assert passes([PATTERN], record(name, sk)) is expected


def test_no_filters_pass_everything_and_a_missing_field_matches_nothing() -> None:
    assert passes(None, {"anything": 1})
    assert not matches(PATTERN, {"eventName": "INSERT"})


def test_the_templates_criteria_are_read_and_unsupported_rules_refused() -> None:
    criteria = {"Filters": [{"Pattern": json.dumps(PATTERN)}]}
    assert parse_filter_criteria(criteria) == [PATTERN]
    assert parse_filter_criteria(None) is None
    with pytest.raises(FilterError):
        parse_filter_criteria(
            {"Filters": [{"Pattern": '{"dynamodb": {"NewImage": {"n": {"N": [{"numeric": [">", 1]}]}}}}'}]}
        )


def test_key_patterns_keep_what_a_request_can_tell() -> None:
    with_image = {**PATTERN, "dynamodb": {**PATTERN["dynamodb"], "NewImage": {"state": {"S": ["open"]}}}}  # type: ignore[dict-item]
    assert key_patterns([with_image]) == [PATTERN]
    assert key_patterns([{"dynamodb": {"NewImage": {"state": {"S": ["open"]}}}}]) is None
    assert key_patterns(None) is None


def test_stream_records_become_plain_item_changes() -> None:
    event = {
        "Records": [
            {
                "eventName": "MODIFY",
                "dynamodb": {
                    "ApproximateCreationDateTime": 1764676800.5,
                    "Keys": {"pk": {"S": "WS#a#INC#i"}, "sk": {"S": "META"}},
                    "NewImage": {"alert_count": {"N": "3"}, "ratio": {"N": "0.5"}, "tags": {"SS": ["b", "a"]}},
                },
            },
            {"eventName": "INSERT"},  # no keys: skipped
            {"eventName": "REMOVE", "dynamodb": {"Keys": {"pk": {"S": "x"}}}},
        ]
    }
    modified, removed = list(item_changes(event))
    assert modified.kind == "MODIFY" and modified.at == "2025-12-02T12:00:00.500000Z"
    assert modified.image == {"alert_count": 3, "ratio": 0.5, "tags": ["a", "b"]}
    assert removed.kind == "REMOVE" and removed.image is None
