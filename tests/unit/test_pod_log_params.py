"""fetch_pod_logs' parameters, line filter and wording as HolmesGPT's logging toolsets have them (log_params), the
LogQL and CloudWatch filter patterns built from them, and get_current_time's exact text."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aisre.investigations.adapters.tools.clock import ClockToolRunner, current_time_text
from aisre.investigations.adapters.tools.cloudwatch_pod_logs import cloudwatch_pattern, pod_in
from aisre.investigations.adapters.tools.log_params import (
    DEFAULT_LIMIT,
    MAX_LIMIT,
    LineFilter,
    LogLine,
    LogParamError,
    limit_note,
    no_logs_message,
    parse_pod_log_params,
    render_lines,
    select,
    split_timestamp,
)
from aisre.investigations.adapters.tools.loki import pod_logql

NOW = datetime(2025, 6, 19, 8, 12, 45, 811389, tzinfo=UTC)
POD = {"pod_name": "robusta-holmes-7bfb7f85b7-2w9ck", "namespace": "default"}


def parse(**params: object) -> object:
    return parse_pod_log_params({**POD, **params}, NOW)


def test_get_current_time_is_holmesgpts_text_exactly() -> None:
    # A real HolmesGPT recording (tests/evals/cases/holmesgpt/.../48_logs_since_thursday/get_current_time_.txt).
    assert current_time_text(NOW) == (
        "The current UTC date and time are 2025-06-19 08:12:45.811389+00:00.\n"
        "The current UTC timestamp in seconds is 1750320765.\n"
        "Today is Thursday.\n"
        "The month is June.\n"
        "The week number is 25."
    )
    # %V: the ISO week, zero-padded; a whole second prints without a fraction, as str() of a datetime does.
    assert current_time_text(datetime(2025, 1, 2, 8, 0, tzinfo=UTC)).splitlines()[::4] == [
        "The current UTC date and time are 2025-01-02 08:00:00+00:00.",
        "The week number is 01.",
    ]
    runner = ClockToolRunner(lambda: NOW)
    assert runner.available_tools() == frozenset({"get_current_time"})
    result = runner.run("get_current_time", {})
    assert (result.status, result.text) == ("success", current_time_text(NOW))
    assert runner.run("kubectl_logs", {}).status == "error"


def test_times_rfc3339_relative_and_unix() -> None:
    query = parse_pod_log_params({**POD, "start_time": "2025-06-12T00:00:00Z"}, NOW)
    assert (query.start, query.end, query.limit) == (datetime(2025, 6, 12, tzinfo=UTC), None, DEFAULT_LIMIT)
    assert query.window(NOW) == (datetime(2025, 6, 12, tzinfo=UTC), NOW)
    relative = parse_pod_log_params({**POD, "start_time": "-3600", "end_time": "2025-06-19T08:00:00+02:00"}, NOW)
    assert relative.end == datetime(2025, 6, 19, 6, tzinfo=UTC)
    assert relative.start == datetime(2025, 6, 19, 5, tzinfo=UTC)  # before end_time, not before now
    assert parse_pod_log_params({**POD, "start_time": -60}, NOW).start == NOW - timedelta(seconds=60)
    assert parse_pod_log_params({**POD, "end_time": "-300"}, NOW).end == NOW - timedelta(minutes=5)
    assert parse_pod_log_params({**POD, "start_time": "1750320000"}, NOW).start == datetime(2025, 6, 19, 8, tzinfo=UTC)
    assert parse_pod_log_params({**POD, "start_time": "2025-06-12"}, NOW).start == datetime(2025, 6, 12, tzinfo=UTC)
    unbounded = parse_pod_log_params({**POD, "start_time": "", "end_time": None}, NOW)
    assert not unbounded.bounded and unbounded.window(NOW) == (NOW - timedelta(days=7), NOW)


@pytest.mark.parametrize(
    ("params", "named"),
    [
        ({"start_time": "since thursday"}, "start_time"),
        ({"start_time": True}, "start_time"),
        ({"end_time": "2025-13-01T00:00:00Z"}, "end_time"),
        ({"start_time": "2025-06-19T09:00:00Z", "end_time": "2025-06-19T08:00:00Z"}, "start_time"),
        ({"limit": "ten"}, "limit"),
        ({"limit": 0}, "limit"),
        ({"limit": 2.5}, "limit"),
        ({"limit": True}, "limit"),
        ({"namespace": " "}, "namespace"),
        ({"pod_name": 7}, "pod_name"),
    ],
)
def test_bad_parameters_name_themselves(params: dict[str, object], named: str) -> None:
    with pytest.raises(LogParamError) as raised:
        parse_pod_log_params({**POD, **params}, NOW)
    assert raised.value.param == named and named in raised.value.message


def test_limit_defaults_accepts_numbers_and_is_capped() -> None:
    assert parse_pod_log_params({**POD, "limit": "25"}, NOW).limit == 25
    assert parse_pod_log_params({**POD, "limit": 25.0}, NOW).limit == 25
    capped = parse_pod_log_params({**POD, "limit": 10**6}, NOW)
    assert (capped.limit, capped.limit_cut) == (MAX_LIMIT, True)
    assert limit_note(capped, MAX_LIMIT, 6_000) == (
        "[limit is at most 5,000: returned the latest 5,000 of 6,000 matching lines (1,000 omitted)]"
    )
    assert limit_note(capped, 40, 40) is None


def test_filter_is_regex_when_valid_else_substring_case_insensitive() -> None:
    regex = LineFilter.of("err|fatal", None)
    assert regex.keeps("FATAL: disk") and regex.keeps("an Error") and not regex.keeps("all good")
    literal = LineFilter.of("query (23", None)  # an unclosed group: not a regex
    assert literal.keeps("slow QUERY (2300ms)") and not literal.keeps("query 2300")
    both = LineFilter.of("GET", "health|metrics")
    assert both.keeps("GET /orders") and not both.keeps("GET /health") and not both.keeps("POST /orders")
    assert not LineFilter.of(None, "").active and LineFilter.of(None, "").keeps("anything")


@given(st.text(min_size=1, max_size=12), st.text(max_size=40))
def test_a_filter_that_is_no_regex_is_a_case_insensitive_substring(pattern: str, line: str) -> None:
    try:
        re.compile(pattern)
    except re.error:
        assert LineFilter.of(pattern, None).keeps(line) == (pattern.lower() in line.lower())
        assert LineFilter.of(None, pattern).keeps(line) == (pattern.lower() not in line.lower())


def test_select_keeps_the_latest_matching_lines_in_time_order() -> None:
    query = parse_pod_log_params({**POD, "filter": "x", "limit": 2, "start_time": "-600"}, NOW)
    lines = [
        LogLine(NOW - timedelta(minutes=20), "x too old", order=0),
        LogLine(NOW - timedelta(minutes=3), "x b", "app", order=1),
        LogLine(NOW - timedelta(minutes=5), "x a", "sidecar", order=2),
        LogLine(None, "x without a time", "app", order=3),
        LogLine(NOW - timedelta(minutes=1), "no match", "app", order=4),
    ]
    shown, matched, read = select(lines, query)
    # A line without a time is kept (it cannot be placed outside the range) and sorts first.
    assert [line.text for line in shown] == ["x a", "x b"] and (matched, read) == (3, 5)
    assert render_lines(shown, with_time=False) == ["sidecar: x a", "app: x b"]
    assert render_lines(shown[:1], with_time=True) == ["2025-06-19T08:07:45Z x a"]
    assert limit_note(query, 2, matched) == "[limit 2 applied: returned the latest 2 of 3 matching lines (1 omitted)]"
    assert limit_note(query, 2, 2) is None


def test_no_logs_message_says_what_was_looked_for() -> None:
    query = parse_pod_log_params({**POD, "filter": "SSL", "exclude_filter": "debug", "start_time": "-3600"}, NOW)
    assert no_logs_message(query, 0) == (
        "No logs found for pod robusta-holmes-7bfb7f85b7-2w9ck in namespace default matching 'SSL' "
        "excluding 'debug' since 2025-06-19T07:12:45.811389Z."
    )
    plain = parse_pod_log_params(POD, NOW)
    window = (datetime(2025, 6, 12, tzinfo=UTC), datetime(2025, 6, 19, tzinfo=UTC))
    assert no_logs_message(plain, 0, window) == (
        "No logs found for pod robusta-holmes-7bfb7f85b7-2w9ck in namespace default "
        "between 2025-06-12T00:00:00Z and 2025-06-19T00:00:00Z."
    )


def test_kubernetes_timestamps_are_split_from_the_line() -> None:
    when, rest = split_timestamp("2025-06-19T08:35:17.235123456Z   Traceback (most recent call last):")
    assert when == datetime(2025, 6, 19, 8, 35, 17, 235123, tzinfo=UTC)
    assert rest == "  Traceback (most recent call last):"  # the one separating space goes, indentation stays
    assert split_timestamp("2025-06-19 08:35:17,235 ERROR x") == (None, "2025-06-19 08:35:17,235 ERROR x")
    assert split_timestamp("2025-06-19T10:35:17+02:00 x")[0] == datetime(2025, 6, 19, 8, 35, 17, tzinfo=UTC)


def test_logql_and_cloudwatch_patterns() -> None:
    query = parse_pod_log_params({**POD, "filter": "err|fatal", "exclude_filter": "a`b"}, NOW)
    assert pod_logql(query, ("namespace", "pod")) == (
        '{namespace="default", pod="robusta-holmes-7bfb7f85b7-2w9ck"} |~ `(?i)err|fatal` !~ "(?i)a`b"'
    )
    literal = parse_pod_log_params({**POD, "pod_name": "payment-*", "filter": "a.b (c"}, NOW)
    assert pod_logql(literal, ("k8s_namespace", "k8s_pod")) == (
        '{k8s_namespace="default", k8s_pod=~"payment-.*"} |~ `(?i)a\\.b \\(c`'
    )
    assert cloudwatch_pattern("Error|timeout") == "%[eE][rR][rR][oO][rR]|[tT][iI][mM][eE][oO][uU][tT]%"
    assert cloudwatch_pattern("db:5432") == "%[dD][bB]:5432%"
    assert cloudwatch_pattern("a.b") == "%[aA]\\.[bB]%"
    for unsayable in ("timed out", "5[0-9]{2}", "(x)", "", None, "x|"):
        assert cloudwatch_pattern(unsayable) is None
    assert pod_in("containers.web-1_shop_app-ab12.log", "web-1")
    assert not pod_in("containers.web-10_shop_app-ab12.log", "web-1")
