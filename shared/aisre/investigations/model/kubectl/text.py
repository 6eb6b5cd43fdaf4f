"""The shapes kubectl's text takes: top-level `Key: value` fields with continuation lines, indented sections,
and column-aligned tables."""

from __future__ import annotations

import re

# Lines that only frame a recorded output (HolmesGPT's "stdout:"/"stderr:"), never part of it.
_FRAME = re.compile(r"^\s*(stdout:|stderr:|```)\s*$")
# Two spaces or more separate a table's columns; a header name may hold one space ("NOMINATED NODE").
_COLUMN_GAP = re.compile(r"\S+(?: \S+)*")
NONE_VALUES = frozenset({"", "<none>", "<unset>", "<nil>"})


def body_lines(text: str) -> list[str]:
    return [line.rstrip() for line in text.splitlines() if not _FRAME.match(line)]


def _top_level(line: str) -> bool:
    return bool(line) and not line[0].isspace()


def value_of(text: str, key: str) -> str | None:
    """The value of a top-level `key:` line ("" when empty), None when the output has no such line."""
    prefix = f"{key}:"
    for line in body_lines(text):
        if _top_level(line) and line.startswith(prefix):
            return line[len(prefix) :].strip()
    return None


def values_of(text: str, key: str) -> list[str]:
    """A top-level field whose values go on below it, one a line (Labels, Taints, Tolerations, Node-Selectors);
    the live adapter writes them on one line, comma-separated, which is read the same."""
    lines = body_lines(text)
    prefix = f"{key}:"
    for index, line in enumerate(lines):
        if not (_top_level(line) and line.startswith(prefix)):
            continue
        values = [line[len(prefix) :].strip()]
        for following in lines[index + 1 :]:
            if not following.strip() or _top_level(following):
                break
            values.append(following.strip())
        return [part.strip() for value in values for part in _split_commas(value) if part.strip() not in NONE_VALUES]
    return []


def _split_commas(value: str) -> list[str]:
    # "a=b, c=d" (the adapter) or "a=b,c=d" (a listing's LABELS): a taint's or toleration's own text has no comma.
    return value.split(",") if "," in value else [value]


def section(text: str, key: str) -> list[str]:
    """The indented lines under a top-level heading (`Allocatable:`, `Events:`, `Volumes:`), up to the next
    top-level line."""
    lines = body_lines(text)
    heading = f"{key}:"
    for index, line in enumerate(lines):
        if _top_level(line) and line.split("  ")[0].strip() == heading:
            out: list[str] = []
            for following in lines[index + 1 :]:
                if _top_level(following):
                    break
                if following.strip():
                    out.append(following)
            return out
    return []


def key_values(lines: list[str]) -> dict[str, str]:
    """`  name:  value` lines (a section such as Allocatable) as a mapping."""
    out: dict[str, str] = {}
    for line in lines:
        name, sep, value = line.strip().partition(":")
        if sep and name:
            out[name.strip()] = value.strip()
    return out


def event_lines(text: str) -> list[str]:
    """The rows of a describe's Events section (its header and rule left out)."""
    rows = []
    for line in section(text, "Events"):
        stripped = line.strip()
        if stripped.startswith(("Type ", "----")) or stripped in NONE_VALUES:
            continue
        rows.append(stripped)
    return rows


def table(text: str) -> list[dict[str, str]]:
    """A `kubectl get` listing as rows keyed by the header's column names (upper case). Columns are cut where the
    header's names begin, as kubectl aligns them; a listing without a header (grep'd) gives no rows."""
    lines = [line for line in body_lines(text) if line.strip()]
    header_at = next((i for i, line in enumerate(lines) if line.startswith(("NAME ", "NAMESPACE "))), None)
    if header_at is None:
        return []
    header = lines[header_at]
    columns = [(m.group(0), m.start()) for m in _COLUMN_GAP.finditer(header)]
    rows = []
    for line in lines[header_at + 1 :]:
        if line.startswith(("NAME ", "NAMESPACE ")):
            break  # a second listing follows
        rows.append(_row(line, columns))
    return rows


def _row(line: str, columns: list[tuple[str, int]]) -> dict[str, str]:
    row: dict[str, str] = {}
    for index, (name, start) in enumerate(columns):
        end = columns[index + 1][1] if index + 1 < len(columns) else len(line)
        row[name] = line[start:end].strip()
    return row
