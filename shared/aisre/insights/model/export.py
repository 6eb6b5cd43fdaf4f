"""Pilot metrics as CSV rows: `metric,dimension,value`, one figure a row, so a spreadsheet sums them as it likes."""

from __future__ import annotations

import csv
import io
from dataclasses import asdict

from aisre.insights.model.metrics import PilotMetrics

CSV_HEADER = ("metric", "dimension", "value")


def metric_rows(metrics: PilotMetrics, days: int, truncated: bool) -> list[tuple[str, str, str]]:
    def cell(value: float | int | bool | None) -> str:
        return "" if value is None else str(value).lower() if isinstance(value, bool) else str(value)

    rows: list[tuple[str, str, str]] = [
        ("window_days", "", cell(days)),
        ("truncated", "", cell(truncated)),
        ("incidents", "", cell(metrics.incidents)),
        ("alerts_received", "", cell(metrics.alerts_received)),
        ("compression_ratio", "", cell(metrics.compression_ratio)),
        ("resolved", "", cell(metrics.resolved)),
        ("resolved_by_alert", "", cell(metrics.resolved_by_alert)),
        ("resolved_by_person", "", cell(metrics.resolved_by_person)),
        ("auto_resolved_share", "", cell(metrics.auto_resolved_share)),
    ]
    for name, figures in (("mtta", metrics.mtta), ("mttr", metrics.mttr)):
        rows.extend((name, key, cell(value)) for key, value in asdict(figures).items())
    rows.extend(("incidents_by_service", service, cell(count)) for service, count in metrics.by_service.items())
    rows.extend(("incidents_by_severity", severity, cell(count)) for severity, count in metrics.by_severity.items())
    rows.extend(("incidents_by_state", state, cell(count)) for state, count in metrics.by_state.items())
    return rows


def to_csv(rows: list[tuple[str, str, str]]) -> str:
    """The header row, then the rows. Cells that a spreadsheet would run as a formula are quoted with a leading `'`
    (a service name is whatever an alert said)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    writer.writerows(tuple(_inert(cell) for cell in row) for row in rows)
    return out.getvalue()


def _inert(cell: str) -> str:
    return "'" + cell if cell[:1] in ("=", "+", "-", "@", "\t", "\r") and not _is_number(cell) else cell


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True
