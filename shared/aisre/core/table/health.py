"""Health probes of the table (DescribeTable) and the alert queue (GetQueueAttributes)."""

from __future__ import annotations

import time
from typing import Any

from aisre.core.table.records import Record


def check_table() -> dict[str, Any]:
    started = time.perf_counter()
    try:
        description = Record.describe_table()
    except Exception as error:  # a probe reports every failure, it never raises
        return {"status": "error", "error": type(error).__name__}
    return {
        "status": "ok" if description.get("TableStatus") == "ACTIVE" else "degraded",
        "table_status": description.get("TableStatus"),
        "latency_ms": round((time.perf_counter() - started) * 1000, 1),
    }
