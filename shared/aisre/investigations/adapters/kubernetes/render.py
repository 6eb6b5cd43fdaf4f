"""kubectl-style text from Kubernetes API objects (plain JSON dicts): tables, events, ages, quantities."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

Obj = Mapping[str, Any]

_SUFFIXES = {
    "n": Decimal("1e-9"),
    "u": Decimal("1e-6"),
    "m": Decimal("1e-3"),
    "k": Decimal(10**3),
    "K": Decimal(10**3),
    "M": Decimal(10**6),
    "G": Decimal(10**9),
    "T": Decimal(10**12),
    "Ki": Decimal(2**10),
    "Mi": Decimal(2**20),
    "Gi": Decimal(2**30),
    "Ti": Decimal(2**40),
}


def get(obj: Any, *path: str, default: Any = None) -> Any:
    """obj[path[0]][path[1]]..., or default where any step is missing."""
    for key in path:
        if not isinstance(obj, Mapping) or obj.get(key) is None:
            return default
        obj = obj[key]
    return obj


def parse_time(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def age(value: str | None, now: datetime) -> str:
    """kubectl's short age: 45s, 12m, 3h, 2d (with the next unit below while it is small)."""
    when = parse_time(value)
    if when is None:
        return "<unknown>"
    seconds = max(0, int((now - when.astimezone(UTC)).total_seconds()))
    if seconds < 120:
        return f"{seconds}s"
    minutes = seconds // 60
    if minutes < 10:
        return f"{minutes}m{seconds % 60}s" if seconds % 60 else f"{minutes}m"
    if minutes < 180:
        return f"{minutes}m"
    hours = minutes // 60
    if hours < 48:
        return f"{hours}h"
    return f"{hours // 24}d"


def quantity(value: str | int | float | None) -> Decimal:
    """A Kubernetes quantity ("250m", "128Mi", "1.5") as a number of base units; 0 when unreadable."""
    text = str(value or "0").strip()
    for suffix in sorted(_SUFFIXES, key=len, reverse=True):
        if text.endswith(suffix):
            try:
                return Decimal(text[: -len(suffix)]) * _SUFFIXES[suffix]
            except InvalidOperation:
                return Decimal(0)
    try:
        return Decimal(text)
    except InvalidOperation:
        return Decimal(0)


def millicores(value: str | None) -> str:
    return f"{int(quantity(value) * 1000)}m"


def mebibytes(value: str | None) -> str:
    return f"{int(quantity(value) / 2**20)}Mi"


def table(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """Columns padded to their widest cell, three spaces apart, as kubectl prints them."""
    cells = [list(header), *([str(c) if c not in (None, "") else "<none>" for c in row] for row in rows)]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    return "\n".join("   ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in cells)


def key_values(pairs: Mapping[str, Any] | None) -> str:
    return ",".join(f"{k}={v}" for k, v in (pairs or {}).items()) or "<none>"


def pod_ready(pod: Obj) -> str:
    statuses = get(pod, "status", "containerStatuses", default=[])
    total = len(get(pod, "spec", "containers", default=[])) or len(statuses)
    return f"{sum(1 for s in statuses if s.get('ready'))}/{total}"


def pod_restarts(pod: Obj) -> int:
    return sum(int(s.get("restartCount") or 0) for s in get(pod, "status", "containerStatuses", default=[]))


def pod_status(pod: Obj) -> str:
    """The STATUS column: the reason a container is stuck on, like kubectl, else the phase."""
    if get(pod, "metadata", "deletionTimestamp"):
        return "Terminating"
    for status in get(pod, "status", "initContainerStatuses", default=[]):
        reason = get(status, "state", "waiting", "reason") or get(status, "state", "terminated", "reason")
        if reason and reason != "Completed":
            return f"Init:{reason}"
    reason = get(pod, "status", "reason")
    for status in get(pod, "status", "containerStatuses", default=[]):
        state = status.get("state") or {}
        found = get(state, "waiting", "reason") or get(state, "terminated", "reason")
        if found:
            reason = found
    return str(reason or get(pod, "status", "phase", default="Unknown"))


def containers_and_images(template_spec: Obj) -> tuple[str, str]:
    containers = template_spec.get("containers") or []
    return ",".join(c.get("name", "") for c in containers), ",".join(c.get("image", "") for c in containers)


def events_table(events: Sequence[Obj], now: datetime) -> str:
    """Events oldest first, with kubectl's "(x5 over 10m)" for repeated ones."""
    if not events:
        return "<none>"

    def last_seen(event: Obj) -> str:
        return str(event.get("lastTimestamp") or event.get("eventTime") or get(event, "metadata", "creationTimestamp"))

    rows = []
    for event in sorted(events, key=last_seen):
        seen = age(last_seen(event), now)
        count = int(event.get("count") or get(event, "series", "count") or 1)
        if count > 1:
            seen = f"{seen} (x{count} over {age(event.get('firstTimestamp') or last_seen(event), now)})"
        source = get(event, "source", "component") or event.get("reportingComponent") or ""
        message = " ".join(str(event.get("message") or "").split())
        rows.append((event.get("type", ""), event.get("reason", ""), seen, source, message))
    return table(("Type", "Reason", "Age", "From", "Message"), rows)
