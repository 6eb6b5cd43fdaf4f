"""Answers in words, first line first: the line that answers the question, then what it rests on.

Pure rendering of what the question engine found; every function returns markdown lines."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from aisre.investigations.model.analysis.finding import Analysis, Finding
from aisre.investigations.model.questions.health import Health
from aisre.investigations.model.questions.log_lines import EntryGroup, LogEntry, group_entries, message_of
from aisre.investigations.model.questions.parse import LogFilter
from aisre.investigations.model.questions.targets import Row
from aisre.investigations.model.questions.time_window import TimeWindow

MAX_LINES_SHOWN = 60
MAX_GROUPS_SHOWN = 8
MAX_FINDINGS_SHOWN = 3


def where(kind: str | None, name: str, namespace: str | None) -> str:
    place = f" in namespace `{namespace}`" if namespace else ""
    return f"{kind or 'workload'} `{name}`{place}"


def stamp(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S UTC") if value else "an unknown time"


def window_words(window: TimeWindow | None) -> str:
    if window is None:
        return ""
    return f" {window.phrase} ({stamp(window.start)} to {stamp(window.end)})"


def filter_words(log_filter: LogFilter) -> str:
    parts = []
    if log_filter.term:
        parts.append(f'containing "{log_filter.term}"')
    if log_filter.level:
        parts.append(f"at level {log_filter.level} or worse")
    return " " + " and ".join(parts) if parts else ""


def log_block(entries: Sequence[LogEntry], limit: int = MAX_LINES_SHOWN) -> list[str]:
    shown = entries[-limit:]
    out = []
    if len(entries) > len(shown):
        out.append(f"(the latest {len(shown)} of {len(entries)} lines)")
    out.append("```")
    out.extend(entry.text for entry in shown)
    out.append("```")
    return out


def group_lines(groups: Sequence[EntryGroup]) -> list[str]:
    out = []
    for group in groups[:MAX_GROUPS_SHOWN]:
        sample = group.sample if len(group.sample) <= 240 else group.sample[:237] + "..."
        times = (
            f"at {stamp(group.first)}"
            if group.count == 1 or group.first == group.last
            else f"first {stamp(group.first)}, last {stamp(group.last)}"
        )
        out.append(f"- {group.count} x `{sample}` ({times})")
    if len(groups) > MAX_GROUPS_SHOWN:
        rest = sum(g.count for g in groups[MAX_GROUPS_SHOWN:])
        out.append(f"- and {rest} more lines of {len(groups) - MAX_GROUPS_SHOWN} other kinds")
    return out


def logs_answer(
    subject: str,
    entries: Sequence[LogEntry],
    fetched: int,
    log_filter: LogFilter,
    window: TimeWindow | None,
    searching: bool,
) -> list[str]:
    """Lines asked for, or "no such lines" with how many were looked through."""
    narrowed = filter_words(log_filter)
    span = window_words(window)
    if not entries:
        if fetched == 0:
            return [f"The logs of {subject}{span} are empty: it printed nothing in that time."]
        what = "lines" + narrowed if narrowed else "lines"
        return [f"No {what} in the logs of {subject}{span} ({fetched} lines looked through)."]
    count = f"the last {len(entries)}" if log_filter.limit else f"{len(entries)}"
    if searching:
        groups = group_entries(entries)
        out = [f"Found {len(entries)} lines{narrowed} in the logs of {subject}{span}, of {len(groups)} kinds:"]
        out += group_lines(groups)
        return [*out, "", "The lines:", *log_block(entries, 20)]
    out = [f"Here are {count} log lines{narrowed} of {subject}{span}:"]
    notable = [e for e in entries if e.severity >= 2]
    if notable and len(entries) > len(notable):
        out += ["", "What stands out:"]
        out += [f"- {stamp(e.at)}: {message_of(e)[:240]}" for e in notable[-12:]]
    return [*out, "", *log_block(entries)]


def errors_answer(
    subject: str, entries: Sequence[LogEntry], fetched: int, level: str, window: TimeWindow | None
) -> list[str]:
    span = window_words(window)
    if not entries:
        looked = f" ({fetched} lines looked through)" if fetched else " (it printed nothing)"
        return [f"No {level} lines in the logs of {subject}{span}{looked}."]
    groups = group_entries(entries)
    times = [e.at for e in entries if e.at is not None]
    between = f" between {stamp(min(times))} and {stamp(max(times))}" if times else ""
    out = [f"{_capital(subject)} logged {len(entries)} {level} lines of {len(groups)} kinds{span}{between}:"]
    out += group_lines(groups)
    return [*out, "", "The latest of them:", *log_block(entries, 15)]


def finding_lines(findings: Sequence[Finding]) -> list[str]:
    out = []
    for number, finding in enumerate(findings[:MAX_FINDINGS_SHOWN], start=1):
        out.append(f"{number}. {finding.root_cause} (rule `{finding.rule}`, confidence {finding.confidence:.2f})")
        if finding.evidence_lines:
            out += ["   Evidence:", "   ```", *(f"   {line}" for line in finding.evidence_lines), "   ```"]
        out += [f"   - Next step: {tip}" for tip in finding.suggestions]
    return out


def diagnosis_answer(subject: str, analysis: Analysis, health: Health, causes: Sequence[Finding]) -> list[str]:
    """Why it fails (the cause first), or that it is healthy (with what shows it), or what is unknown."""
    if causes and health.healthy is not True:
        out = [f"{_capital(subject)} is failing: {causes[0].root_cause}"]
        if health.problems:
            out += ["", "What is wrong: " + _problems(health) + "."]
        return [*out, "", "## Findings (most likely first)", *finding_lines(causes)]
    if health.healthy:
        summary = f"{health.pod_summary}, " if health.pod_summary else ""
        out = [f"{_capital(subject)} appears healthy: {summary}nothing I read shows a problem."]
        out += ["", "What shows it:", *(f"- {fact}" for fact in dict.fromkeys(health.good))]
        if health.notes:
            out += ["", "Worth knowing (not a fault):", *(f"- {note}" for note in dict.fromkeys(health.notes))]
        if analysis.findings:
            out += ["", "Minor observations:", *finding_lines(analysis.findings)]
        return out
    if health.healthy is False:
        out = [f"{_capital(subject)} is not healthy: " + _problems(health) + "."]
        if analysis.findings:
            return [*out, "", "## Findings", *finding_lines(analysis.findings)]
        return [*out, "", "No known cause shows in what I could read; the tools called are listed below."]
    if analysis.findings:
        return [f"About {subject}: {analysis.findings[0].root_cause}", "", *finding_lines(analysis.findings)]
    return [f"I could not tell the state of {subject}: nothing I could read describes it."]


def _problems(health: Health, limit: int = 3) -> str:
    shown = [p if len(p) <= 200 else p[:197] + "..." for p in dict.fromkeys(health.problems)]
    return "; ".join(shown[:limit])


def not_found_answer(
    name: str, kind: str | None, namespace: str | None, close: Sequence[str], searched: str
) -> list[str]:
    what = f"{kind} `{name}`" if kind else f"`{name}`"
    place = f"in namespace `{namespace}` or any other namespace" if namespace else "in any namespace"
    out = [f"I could not find {what}: no {searched} by that name exists {place}."]
    if close:
        out.append("Did you mean " + " or ".join(f"`{c}`" for c in close) + "? (the closest names in the cluster)")
    return out


def moved_note(name: str, asked: str, found: Sequence[str]) -> str:
    places = ", ".join(f"`{ns}`" for ns in found)
    return (
        f"Note: `{name}` is not in namespace `{asked}`; it was found in namespace {places}: this answer is about that."
    )


def listing_answer(kind: str, scope: str, rows: Sequence[Row], state: str | None, total: int) -> list[str]:
    plural = kind + ("es" if kind.endswith("s") else "s")
    if not rows:
        if state:
            return [f"No {plural} {scope} are {state} ({total} {plural} listed)."]
        return [f"There are no {plural} {scope}."]
    head = f"{len(rows)} of {total} {plural} {scope}" + (f" are {state}:" if state else ":")
    return [head, "```", *(row.line for row in rows[:100]), "```"]


def installed_answer(name: str, workloads: Sequence[Row], crds: Sequence[Row], read_anything: bool) -> list[str]:
    if workloads or crds:
        versions = list(dict.fromkeys(v for v in (r.version for r in [*workloads, *crds]) if v))
        places = list(dict.fromkeys(r.namespace for r in workloads if r.namespace))
        where = f" in namespace {', '.join(f'`{p}`' for p in places)}" if places else ""
        version = f", version {' / '.join(versions[:3])}" if versions else ""
        out = [f"Yes, {name} is installed{where}{version}."]
        if workloads:
            out += ["", "Running parts:", *(f"- {_row_words(r)}" for r in workloads[:10])]
        if crds:
            out += [
                "",
                f"Its custom resource definitions ({len(crds)}): " + ", ".join(f"`{c.name}`" for c in crds[:12]),
            ]
        return out
    if not read_anything:
        return [f"I could not check whether {name} is installed: the cluster could not be read."]
    return [
        f"No, {name} is not installed: no pod, deployment or custom resource definition named like `{name}` "
        "exists in any namespace."
    ]


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _row_words(row: Row) -> str:
    images = ", ".join(row.images[:2])
    parts = (f"{row.ready} ready" if row.ready else "", row.status or "", f"image {images}" if images else "")
    state = ", ".join(part for part in parts if part)
    return f"{row.kind or 'pod'} `{row.name}` in namespace `{row.namespace}`" + (f" ({state})" if state else "")
