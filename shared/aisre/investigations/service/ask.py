"""Answers a question asked in words, without a model: reads the question (model/questions), finds what it names
in the cluster (across namespaces when the one given is wrong or none is), reads what the question needs (logs
narrowed by time, term, level and count; the evidence-following investigation; listings; CRDs) through the same
read-only tools as every investigation, and says the answer first.

Tool calls carry the parameters the question implies, as HolmesGPT's tools take them (`fetch_pod_logs` with
`filter`, `limit`, `start_time`, `end_time`; the time from `get_current_time`), so a recording answers the call
it recorded; a tool that answers less precisely is narrowed here, so the answer is the same either way."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from aisre.investigations.model.analysis import Analysis, analyze, render_answer
from aisre.investigations.model.analysis.engine import SYMPTOM_RULES
from aisre.investigations.model.evidence import Evidence, Issue, Subject, ToolResult
from aisre.investigations.model.questions import answers
from aisre.investigations.model.questions.clock import parse_current_time
from aisre.investigations.model.questions.health import assess
from aisre.investigations.model.questions.log_lines import LogEntry, narrow, split_entries
from aisre.investigations.model.questions.parse import Intent, Question, Target, parse_question
from aisre.investigations.model.questions.targets import Row, close_names, find_named, parse_rows
from aisre.investigations.model.questions.time_window import TimeWindow, time_window
from aisre.investigations.ports import ToolRunner
from aisre.investigations.service.gather import gather

# Kinds tried, in order, when a question names a workload without saying which kind.
WORKLOAD_KINDS = ("deployment", "statefulset", "daemonset", "job", "cronjob", "pod")
# How many pods of a workload have their logs read.
MAX_POD_LOGS = 3
LOG_TOOLS = ("fetch_pod_logs", "kubectl_logs", "kubectl_logs_all_containers")
_NOT_FOUND = ("NotFound", "not found", "No resources found", "failed with return code 1")


@dataclass
class QuestionAnswer:
    text: str
    question: Question
    evidence: Evidence
    analysis: Analysis | None = None
    subject: Subject | None = None


@dataclass
class _Located:
    """Where the thing asked about is: the subject to read, the rows that show it, and what to say about it."""

    subject: Subject | None
    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    close: list[str] = field(default_factory=list)
    searched: str = "pod or workload"


class _Calls:
    """Each (tool, parameters) called once; tools the runner lacks are skipped."""

    def __init__(self, runner: ToolRunner) -> None:
        self.runner = runner
        self.available = runner.available_tools()
        self.results: list[ToolResult] = []
        self._seen: dict[str, ToolResult] = {}

    def call(self, tool: str, **params: Any) -> ToolResult | None:
        if tool not in self.available:
            return None
        params = {k: v for k, v in params.items() if v is not None}
        key = f"{tool}:{sorted(params.items())}"
        if key not in self._seen:
            result = self.runner.run(tool, params)
            self._seen[key] = result
            self.results.append(result)
        return self._seen[key]


def _ok(result: ToolResult | None) -> str | None:
    """The output of a call that found something (None when it failed or found nothing)."""
    if result is None or result.status != "success" or not result.text.strip():
        return None
    if any(marker in result.text[:300] for marker in _NOT_FOUND) and "\n" not in result.text.strip()[:300]:
        return None
    body = "\n".join(line for line in result.text.splitlines() if line.strip() not in ("stdout:", "stderr:"))
    return body if body.strip() else None


def _iso(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class QuestionEngine:
    def __init__(self, runner: ToolRunner, clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.runner = runner
        self.clock = clock

    def answer(self, text: str, issue: Issue | None = None) -> QuestionAnswer:
        issue = issue or Issue(title=text, source="chat")
        calls = _Calls(self.runner)
        question = parse_question(text)
        target = _merge(question.target, issue.subject)
        question = Question(question.text, question.intent, target, question.log_filter, question.state)
        if target.name is None and issue.source == "chat" and question.intent in (Intent.DIAGNOSE, Intent.HEALTH):
            return self._overview(calls, question, issue)
        if question.intent is Intent.LIST or (target.name is None and target.namespace and not issue.labels):
            lines = self._listing(calls, question)
            return self._done(lines, question, issue, calls)
        if target.name is None:
            # Nothing named: the question is about the issue itself (issue chat), investigated as an alert is.
            return self._about_issue(calls, question, issue)
        window, now = self._window(calls, question)
        if question.intent is Intent.EXISTS:
            return self._done(self._installed(calls, target), question, issue, calls)
        located = self._locate(calls, target)
        if located.subject is None and not _read_anything(calls):
            # The cluster could not be read at all: say so, and answer from what the question itself says.
            unread = next((r.error for r in calls.results if r.error), "no tool answered")
            first = f"I could not look for `{target.name}` in the cluster ({unread})."
            if issue.source != "chat":
                found = self._about_issue(calls, question, issue)
                found.text = f"{first}\n\n{found.text}"
                return found
            # A chat question: what its words alone say, if anything; no report of an "alert" that is a question.
            analysis = analyze(Evidence(issue, tuple(calls.results), calls.available))
            lines = [first, ""]
            if analysis.findings:
                lines += ["From the question's words alone:", *answers.finding_lines(analysis.findings)]
            else:
                lines.append(
                    "Nothing can be concluded without reading it: connect a cluster (KUBECONFIG, or run "
                    "in-cluster) and ask again."
                )
            return self._done(lines, question, issue, calls, analysis)
        if located.subject is None:
            lines = answers.not_found_answer(
                target.name, target.kind, target.namespace, located.close, located.searched
            )
            return self._done(lines, question, issue, calls)
        if question.intent in (Intent.LOGS, Intent.ERRORS, Intent.SEARCH):
            lines = self._logs(calls, question, located, window, now)
            return self._done([*lines, *_notes(located)], question, issue, calls, subject=located.subject)
        return self._diagnose(calls, question, issue, located)

    # -- the parts ------------------------------------------------------------------------------------------

    def _window(self, calls: _Calls, question: Question) -> tuple[TimeWindow | None, datetime]:
        """The window the question names, resolved against the time the tools report (the clock's otherwise)."""
        if time_window(question.text, self.clock()) is None:
            return None, self.clock()
        now = parse_current_time(_ok(calls.call("get_current_time")) or "") or self.clock()
        return time_window(question.text, now), now

    def _locate(self, calls: _Calls, target: Target) -> _Located:
        assert target.name is not None
        name, namespace = target.name, target.namespace
        if namespace:
            kinds = [target.kind] if target.kind else _kinds_for(name)
            for tried in kinds:
                if _ok(calls.call("kubectl_get_by_name", kind=tried, name=name, namespace=namespace)):
                    return _Located(Subject(kind=tried, name=name, namespace=namespace))
        rows = self._search(calls, target)
        match = find_named(rows, name, namespace)
        if match is None:
            close = close_names(name, [r.name for r in rows if r.name.lower() != name.lower()])
            if not close:
                close = close_names(name, self._all_names(calls, target.kind))
            return _Located(None, close=close, searched=target.kind or "pod or workload")
        best = match.rows[0]
        notes = []
        if namespace and best.namespace != namespace:
            places = list(dict.fromkeys(r.namespace or "" for r in match.rows))
            notes.append(answers.moved_note(name, namespace, places))
        kind = target.kind or best.kind
        if match.exact and kind not in (None, "pod"):
            return _Located(Subject(kind=kind, name=best.name, namespace=best.namespace), list(match.rows), notes)
        # The pods of the workload asked about: the investigation starts at the least healthy one.
        return _Located(Subject(kind="pod", name=best.name, namespace=best.namespace), list(match.rows), notes)

    def _search(self, calls: _Calls, target: Target) -> list[Row]:
        """Rows of every namespace matching the name: by its full name, then by its owner's name (a pod's
        generated name's prefix), for the kind asked or pods and then workloads."""
        assert target.name is not None
        keywords = list(dict.fromkeys([target.name, _owner_prefix(target.name)]))
        kinds = [target.kind] if target.kind else ["pod", "deployment"]
        rows: list[Row] = []
        for kind in kinds:
            for keyword in keywords:
                text = _ok(calls.call("kubectl_find_resource", kind=kind, keyword=keyword))
                if text:
                    rows += parse_rows(text, kind)
                    if find_named(rows, target.name, target.namespace):
                        return rows
        # No search answered: the listing of every namespace is the same search, done here.
        for kind in kinds:
            text = _ok(calls.call("kubectl_get_by_kind_in_cluster", kind=kind))
            if text:
                rows += parse_rows(text, kind)
                if find_named(rows, target.name, target.namespace):
                    return rows
        return rows

    def _all_names(self, calls: _Calls, kind: str | None) -> list[str]:
        names: list[str] = []
        for listed in [kind] if kind else ["deployment", "pod"]:
            text = _ok(calls.call("kubectl_get_by_kind_in_cluster", kind=listed))
            names += [row.name for row in parse_rows(text or "", listed)]
        return names

    def _logs(
        self, calls: _Calls, question: Question, located: _Located, window: TimeWindow | None, now: datetime
    ) -> list[str]:
        assert located.subject is not None and located.subject.name is not None
        pods = [located.subject.name] if located.subject.kind == "pod" else []
        pods += [r.name for r in located.rows if (r.kind in (None, "pod")) and r.name not in pods]
        if not pods:
            pods = self._pods_of(calls, located.subject)
        namespace = located.subject.namespace or "default"
        out: list[str] = []
        for pod in pods[:MAX_POD_LOGS]:
            fetched = self._fetch_logs(calls, pod, namespace, question, window, now)
            subject = answers.where("pod", pod, namespace)
            if fetched is None:
                out += [f"I could not read the logs of {subject}: the log tools returned nothing.", ""]
                continue
            lf = question.log_filter
            entries = narrow(fetched, _open_ended(window, now), lf.term, lf.level, lf.limit)
            if question.intent is Intent.ERRORS:
                out += answers.errors_answer(subject, entries, len(fetched), lf.level or "ERROR", window)
            else:
                out += answers.logs_answer(
                    subject, entries, len(fetched), lf, window, searching=question.intent is Intent.SEARCH
                )
            out.append("")
        return out

    def _fetch_logs(
        self, calls: _Calls, pod: str, namespace: str, question: Question, window: TimeWindow | None, now: datetime
    ) -> list[LogEntry] | None:
        """The pod's log entries: asked as precisely as the question allows, then less precisely when no tool
        answers that (the narrowing is then done here)."""
        lf = question.log_filter
        start = _iso(window.start) if window else None
        closed = window is not None and window.end < now
        end = _iso(window.end) if window and closed else None
        attempts: list[dict[str, Any]] = [
            {"filter": lf.term, "limit": lf.limit, "start_time": start, "end_time": end},
            {"filter": lf.term, "start_time": start, "end_time": end},
            {"filter": lf.term, "start_time": start},
            {"start_time": start},
            {},
        ]
        seen: set[str] = set()
        for extra in attempts:
            params = {"pod_name": pod, "namespace": namespace, **{k: v for k, v in extra.items() if v is not None}}
            key = repr(sorted(params.items()))
            if key in seen:
                continue
            seen.add(key)
            text = _ok(calls.call("fetch_pod_logs", **params))
            if text is not None:
                return split_entries(text)
        for tool in LOG_TOOLS[1:]:
            text = _ok(calls.call(tool, pod_name=pod, namespace=namespace))
            if text is not None:
                return split_entries(text)
        return None

    def _pods_of(self, calls: _Calls, subject: Subject) -> list[str]:
        assert subject.name is not None
        text = _ok(calls.call("kubectl_find_resource", kind="pod", keyword=subject.name)) or ""
        match = find_named(parse_rows(text, "pod"), subject.name, subject.namespace)
        return [r.name for r in match.rows] if match else []

    def _diagnose(self, calls: _Calls, question: Question, issue: Issue, located: _Located) -> QuestionAnswer:
        subject = located.subject
        assert subject is not None and subject.name is not None
        asked = Issue(
            title=question.text,
            description=issue.description if issue.description != question.text else "",
            source=issue.source,
            subject=subject,
            labels=issue.labels,
            annotations=issue.annotations,
            runbook_urls=issue.runbook_urls,
        )
        gather(asked, _Recorder(calls))  # its calls land in `calls`: one record, in call order
        evidence = Evidence(asked, tuple(calls.results), calls.available)
        analysis = analyze(evidence)
        names = [subject.name, *(r.name for r in located.rows)]
        health = assess(calls.results, names)
        causes = [f for f in analysis.findings if f.rule not in SYMPTOM_RULES or f.confidence >= 0.7]
        asked_name = question.target.name
        if subject.kind == "pod" and asked_name and asked_name != subject.name:
            # Asked about a workload, found through its pods: the answer is about what was asked.
            label = answers.where(question.target.kind or "workload", asked_name, subject.namespace)
            located.notes.append(f"Read through its pod `{subject.name}` (the least healthy of its pods found).")
        else:
            label = answers.where(subject.kind, subject.name, subject.namespace)
        lines = answers.diagnosis_answer(label, analysis, health, causes)
        return self._done([*lines, *_notes(located)], question, issue, calls, analysis, subject)

    def _overview(self, calls: _Calls, question: Question, issue: Issue) -> QuestionAnswer:
        """ "What is wrong in the cluster?": the pods that are not healthy, and the first one investigated."""
        unhealthy, lines = self._unhealthy_pods(calls, question.target.namespace)
        if not unhealthy:
            return (
                self._about_issue(calls, question, issue)
                if lines is None
                else self._done(lines, question, issue, calls)
            )
        first = unhealthy[0]
        located = _Located(Subject(kind="pod", name=first.name, namespace=first.namespace), [first])
        diagnosed = self._diagnose(calls, question, issue, located)
        diagnosed.text = "\n".join([*(lines or []), "", "The first of them, investigated:", "", diagnosed.text])
        return diagnosed

    def _unhealthy_pods(self, calls: _Calls, namespace: str | None) -> tuple[list[Row], list[str] | None]:
        if namespace:
            text = _ok(calls.call("kubectl_get_by_kind_in_namespace", kind="pod", namespace=namespace))
            scope = f"in namespace `{namespace}`"
        else:
            text = _ok(calls.call("kubectl_get_by_kind_in_cluster", kind="pod"))
            scope = "in the cluster"
        if text is None:
            return [], None
        rows = parse_rows(text, "pod")
        unhealthy = [row for row in rows if _in_state(row, "not healthy")]
        if not unhealthy:
            return [], [f"Nothing is wrong that the pods show: all {len(rows)} pods {scope} are running and ready."]
        return unhealthy, answers.listing_answer("pod", scope, unhealthy, "not healthy", len(rows))

    def _about_issue(self, calls: _Calls, question: Question, issue: Issue) -> QuestionAnswer:
        gather(issue, _Recorder(calls))
        evidence = Evidence(issue, tuple(calls.results), calls.available)
        analysis = analyze(evidence)
        lines = render_answer(analysis).splitlines()
        return QuestionAnswer("\n".join(lines), question, evidence, analysis, issue.subject)

    def _listing(self, calls: _Calls, question: Question) -> list[str]:
        kind = question.target.kind or "pod"
        namespace = question.target.namespace
        if namespace:
            text = _ok(calls.call("kubectl_get_by_kind_in_namespace", kind=kind, namespace=namespace))
            scope = f"in namespace `{namespace}`"
        else:
            text = _ok(calls.call("kubectl_get_by_kind_in_cluster", kind=kind))
            scope = "in the cluster"
        if text is None:
            return [f"I could not list the {kind}s {scope}: the listing returned nothing."]
        rows = parse_rows(text, kind)
        state = question.state or ("not healthy" if question.intent is not Intent.LIST else None)
        chosen = [row for row in rows if _in_state(row, state)] if state else rows
        return answers.listing_answer(kind, scope, chosen, state, len(rows))

    def _installed(self, calls: _Calls, target: Target) -> list[str]:
        assert target.name is not None
        keyword = target.name.lower()
        read = False
        workloads: list[Row] = []
        for kind in ("deployment", "statefulset", "daemonset", "pod"):
            result = calls.call("kubectl_find_resource", kind=kind, keyword=keyword)
            read = read or (result is not None and result.status == "success")
            rows = parse_rows(_ok(result) or "", kind)
            workloads += [r for r in rows if keyword in r.name.lower() or keyword in (r.namespace or "").lower()]
            if workloads and kind != "pod":
                break
        crd_result = calls.call("kubectl_get_by_kind_in_cluster", kind="customresourcedefinition")
        read = read or (crd_result is not None and crd_result.status == "success")
        crds = parse_rows(_ok(crd_result) or "", "customresourcedefinition", namespaced=False)
        crds = [c for c in crds if keyword in c.name.lower() or keyword.replace("-", "") in c.name.lower()]
        return answers.installed_answer(target.name, workloads, crds, read)

    def _done(
        self,
        lines: list[str],
        question: Question,
        issue: Issue,
        calls: _Calls,
        analysis: Analysis | None = None,
        subject: Subject | None = None,
    ) -> QuestionAnswer:
        evidence = Evidence(issue, tuple(calls.results), calls.available)
        text = "\n".join(lines).strip()
        if calls.results:
            text += f"\n\n## Tools called ({len(calls.results)})\n" + "\n".join(
                f"- {r.label}" + ("" if r.status == "success" else f" ({r.status})") for r in calls.results
            )
        return QuestionAnswer(text, question, evidence, analysis, subject)


class _Recorder:
    """Hands the investigation's calls to the question's call list, so both share one record and one cache."""

    def __init__(self, calls: _Calls) -> None:
        self.calls = calls

    def available_tools(self) -> frozenset[str]:
        return self.calls.available

    def run(self, tool: str, params: Mapping[str, Any]) -> ToolResult:
        result = self.calls.call(tool, **dict(params))
        return result or ToolResult(tool, dict(params), "unavailable", error=f"tool {tool} is not available")


def _merge(asked: Target, subject: Subject) -> Target:
    """The question's own words first; the request's subject fills what they leave out."""
    if asked.name is None and subject.name:
        return Target(subject.name, asked.kind or _kind(subject.kind), asked.namespace or subject.namespace)
    same = subject.name and asked.name and subject.name.lower() == asked.name.lower()
    namespace = asked.namespace or (subject.namespace if same else None)
    kind = asked.kind or (_kind(subject.kind) if same else None)
    return Target(asked.name, kind, namespace)


def _kind(kind: str | None) -> str | None:
    return kind.lower() if kind else None


def _kinds_for(name: str) -> list[str]:
    return ["pod", *WORKLOAD_KINDS[:-1]] if _owner_prefix(name) != name else list(WORKLOAD_KINDS)


def _owner_prefix(name: str) -> str:
    """A generated pod name's owner (`web-7d9f8b6c5d-x2x9q` → `web`); the name itself otherwise."""
    return re.sub(r"-[a-z0-9]{6,10}-[a-z0-9]{5}$", "", name)


def _in_state(row: Row, state: str) -> bool:
    status = (row.status or "").lower()
    if state in ("not running", "not ready", "unhealthy", "not healthy", "failing", "failed"):
        return not row.healthy or (row.kind in (None, "pod") and status not in ("running", "completed", ""))
    if state.startswith("crash"):
        return "crashloop" in status
    if state.startswith("image"):
        return "image" in status or "errimage" in status
    if state.startswith("oom"):
        return "oom" in status
    return state.replace(" ", "") in status.replace(" ", "")


def _read_anything(calls: _Calls) -> bool:
    """Whether any call reached the cluster (a NotFound is an answer; "unavailable" is not)."""
    return any(r.status in ("success", "no_data") or "NotFound" in (r.error or "") for r in calls.results)


def _open_ended(window: TimeWindow | None, now: datetime) -> TimeWindow | None:
    """A window that runs until now ("since Thursday") keeps lines stamped after the tools' now: the log source's
    clock is not the tool's, and "since" has no end."""
    if window is None or window.end < now:
        return window
    return TimeWindow(window.start, datetime.max.replace(tzinfo=UTC), window.phrase)


def _notes(located: _Located) -> list[str]:
    return ["", *located.notes] if located.notes else []
