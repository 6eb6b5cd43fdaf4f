"""Log text into entries (time, level, continuation lines), narrowed and grouped by kind."""

from __future__ import annotations

from datetime import UTC, datetime

from aisre.investigations.model.questions.log_lines import group_entries, message_of, narrow, split_entries
from aisre.investigations.model.questions.time_window import TimeWindow

LOG = """stdout:
2025-06-12 22:14:51,711 ERROR    Database error: The database at db.internal has become unavailable
2025-06-13 13:12:53,047 WARNING  Memory usage is 594MB but the soft limit is 512MB
2025-06-14T17:15:01.032Z [info] CPU usage back to normal.
2025-06-15T16:57:02+02:00 level=error msg="query fetch_user_logs failed: syntax error"
Fri Jul 11 13:23:24 UTC 2025 ERROR: Backup database also unavailable
E0611 12:34:56.789012       1 reflector.go:138] failed to list *v1.Pod: pods is forbidden
2025-06-19 08:35:17,235 ERROR    SSL certificate expired
                                 Traceback (most recent call last):
                                 ExpiredCertException
a line with no time saying nothing much

stderr:
"""


def test_entries_carry_their_time_level_and_continuation_lines() -> None:
    entries = split_entries(LOG)
    assert len(entries) == 8
    first, second, third, fourth, fifth, klog, cert, plain = entries
    assert first.at == datetime(2025, 6, 12, 22, 14, 51, 711000, tzinfo=UTC) and first.level == "ERROR"
    assert second.level == "WARN" and third.level == "INFO"
    assert fourth.at == datetime(2025, 6, 15, 14, 57, 2, tzinfo=UTC) and fourth.level == "ERROR"
    assert fifth.at == datetime(2025, 7, 11, 13, 23, 24, tzinfo=UTC) and fifth.level == "ERROR"
    assert klog.level == "ERROR" and klog.at is None
    assert cert.text.count("\n") == 2 and "ExpiredCertException" in cert.text
    assert plain.at is None and plain.level is None and plain.severity == 1
    assert message_of(first) == "Database error: The database at db.internal has become unavailable"


def test_narrowing_by_window_term_level_and_count() -> None:
    entries = split_entries(LOG)
    window = TimeWindow(datetime(2025, 6, 13, tzinfo=UTC), datetime(2025, 6, 16, tzinfo=UTC), "x")
    in_window = narrow(entries, window=window)
    # Lines without a time are kept: nothing says they are outside.
    assert [e.at.day if e.at else None for e in in_window] == [13, 14, 15, None, None]
    assert [message_of(e) for e in narrow(entries, term="UNAVAILABLE")] == [
        "Database error: The database at db.internal has become unavailable",
        "Backup database also unavailable",
    ]
    assert len(narrow(entries, term="fetch_.*_logs")) == 1  # a valid regular expression is one
    assert len(narrow(entries, term="(unbalanced")) == 0  # an invalid one is matched as written
    errors = narrow(entries, level="ERROR")
    assert len(errors) == 5 and all(e.severity >= 3 for e in errors)
    assert [e.at for e in narrow(entries, level="ERROR", limit=2)] == [None, errors[-1].at]


def test_errors_group_by_kind_whatever_their_ids_and_numbers() -> None:
    text = "\n".join(
        [
            '2025-06-20T10:47:52Z [ERROR] order-svc - query failed: duplicate key violates unique constraint "pk" '
            "DETAIL: Key (id)=(945253) already exists - RequestID: tfkkm9dboa",
            '2025-06-20T10:48:02Z [ERROR] auth-svc - query failed: syntax error at or near "SELCT" - RequestID: zce9bo',
            '2025-06-20T10:49:52Z [ERROR] user-svc - query failed: duplicate key violates unique constraint "pk" '
            "DETAIL: Key (id)=(85986) already exists - RequestID: j1fhj60kpnj",
            '2025-06-20T10:50:52Z [ERROR] order-svc - query failed: duplicate key violates unique constraint "pk" '
            "DETAIL: Key (id)=(629498) already exists - RequestID: 0fuw0gxufnnj",
        ]
    )
    groups = group_entries(split_entries(text))
    assert [g.count for g in groups] == [3, 1]
    assert "duplicate key" in groups[0].sample and "syntax error" in groups[1].sample
    assert groups[0].first == datetime(2025, 6, 20, 10, 47, 52, tzinfo=UTC)
    assert groups[0].last == datetime(2025, 6, 20, 10, 50, 52, tzinfo=UTC)
