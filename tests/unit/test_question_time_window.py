"""Time windows named in questions, resolved against a fixed now (issue #11, question understanding)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from aisre.investigations.model.questions.time_window import time_window

# A Wednesday, mid-afternoon.
NOW = datetime(2026, 12, 2, 15, 30, tzinfo=UTC)
TODAY = datetime(2026, 12, 2, tzinfo=UTC)


@pytest.mark.parametrize(
    ("question", "start", "end"),
    [
        ("show me the logs of pod X since last Thursday", datetime(2026, 11, 26, tzinfo=UTC), NOW),
        ("what failed on Monday?", datetime(2026, 11, 30, tzinfo=UTC), datetime(2026, 12, 1, tzinfo=UTC)),
        ("errors yesterday", TODAY - timedelta(days=1), TODAY),
        ("anything since yesterday?", TODAY - timedelta(days=1), NOW),
        ("what happened today", TODAY, NOW),
        ("restarts last week", datetime(2026, 11, 23, tzinfo=UTC), datetime(2026, 11, 30, tzinfo=UTC)),
        ("deploys this week", datetime(2026, 11, 30, tzinfo=UTC), NOW),
        ("OOMs last month", datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 12, 1, tzinfo=UTC)),
        ("logs in December", datetime(2026, 12, 1, tzinfo=UTC), NOW),  # this December, begun and not over
        ("logs in June", datetime(2026, 6, 1, tzinfo=UTC), datetime(2026, 7, 1, tzinfo=UTC)),
        ("logs in December 2025", datetime(2025, 12, 1, tzinfo=UTC), datetime(2026, 1, 1, tzinfo=UTC)),
        ("errors since 2025-06-10", datetime(2025, 6, 10, tzinfo=UTC), NOW),
        ("logs between 2025-06-01 and 2025-06-03", datetime(2025, 6, 1, tzinfo=UTC), datetime(2025, 6, 4, tzinfo=UTC)),
        (
            "from 2025-06-01T10:00 to 2025-06-01T12:30",
            datetime(2025, 6, 1, 10, tzinfo=UTC),
            datetime(2025, 6, 1, 12, 30, tzinfo=UTC),
        ),
        ("logs of the last 15 minutes", NOW - timedelta(minutes=15), NOW),
        ("errors in the past 2 hours", NOW - timedelta(hours=2), NOW),
        ("what happened in the last hour", NOW - timedelta(hours=1), NOW),
        ("restarts over the last three days", NOW - timedelta(days=3), NOW),
        ("since 2 hours ago", NOW - timedelta(hours=2), NOW),
    ],
)
def test_a_named_window_resolves_against_now(question: str, start: datetime, end: datetime) -> None:
    window = time_window(question, NOW)
    assert window is not None, question
    assert (window.start, window.end) == (start, end), (question, window)
    assert window.phrase and window.phrase in question.lower()


def test_a_question_without_a_window_names_none() -> None:
    assert time_window("why is deployment checkout failing in namespace shop?", NOW) is None
    assert time_window("find 'Peer down' in the logs of bgp-speaker", NOW) is None


def test_the_weekday_named_today_means_a_week_ago_and_now_may_carry_any_offset() -> None:
    window = time_window("since last Wednesday", NOW.astimezone())
    assert window is not None and window.start == TODAY - timedelta(days=7) and window.end == NOW


def test_from_a_weekday_onwards_and_from_a_month() -> None:
    from datetime import UTC, datetime

    from aisre.investigations.model.questions.time_window import time_window

    now = datetime(2025, 10, 16, 9, 30, tzinfo=UTC)  # a Thursday
    onwards = time_window("logs for ingest-worker from Tuesday onwards", now)
    assert onwards is not None and (onwards.start, onwards.end) == (datetime(2025, 10, 14, tzinfo=UTC), now)
    september = time_window("show me its logs from September", now)
    assert september is not None
    assert (september.start, september.end) == (datetime(2025, 9, 1, tzinfo=UTC), datetime(2025, 10, 1, tzinfo=UTC))
