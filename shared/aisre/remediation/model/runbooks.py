"""Runbooks: what one is, the catalog that matches runbooks to an incident, and its steps rendered for it.

The catalog's content is data (remediation/runbooks/*.yaml, read by adapters/runbook_files.py, and a
workspace's saved runbooks); model/runbook_documents.py validates what it is given. Each runbook covers some of
the analyzer's finding rules (a strong match) and some alert names and words (a weaker one). Its steps read
first and act after; a step that reads names a read of model/runbook_reads.py, a step that acts names the
remediation catalog action it maps to (model/actions.py). The rest of a step is text for a person: nothing in
it is ever run.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from aisre.incidents.model.incident import Incident
from aisre.remediation.model.actions import CATALOG
from aisre.remediation.model.conclusions import Conclusion


class StepKind(StrEnum):
    """What running a step does: a read of the cluster, a catalog action (a write, or advice that writes
    nothing), or nothing at all (an instruction for a person, shown with its command filled in)."""

    READ = "read"
    ACTION = "action"
    ADVICE = "advice"
    MANUAL = "manual"


@dataclass(frozen=True)
class RunbookStep:
    """One step: what to do, the command a person would type, and what the platform runs for it, if anything:
    a read (model/runbook_reads.py) or a catalog action, named explicitly; never the command's text."""

    title: str
    command: str | None = None
    # A name in aisre.remediation.model.actions.CATALOG; None for a step that does not act.
    action: str | None = None
    # A name in aisre.remediation.model.runbook_reads.READS; None for a step that does not read.
    read: str | None = None
    # The action's arguments that are not its target (scale's replicas, rollback's revision): the target is
    # always the incident's own, never the runbook's.
    arguments: dict[str, Any] = field(default_factory=dict, hash=False, compare=True)

    @property
    def kind(self) -> StepKind:
        if self.action is not None:
            spec = CATALOG.get(self.action)
            return StepKind.ACTION if spec is not None and spec.executable else StepKind.ADVICE
        return StepKind.READ if self.read is not None else StepKind.MANUAL


@dataclass(frozen=True)
class Runbook:
    id: str
    name: str
    description: str
    # Analyzer finding rules this runbook covers (a strong match).
    rules: tuple[str, ...]
    # Alert names, matched as whole tokens of the title or alert labels, case-insensitively (a weaker match).
    alertnames: tuple[str, ...]
    # Plain words, matched where a word starts ("crashloop" matches "CrashLoopBackOff").
    keywords: tuple[str, ...]
    steps: tuple[RunbookStep, ...]
    # Services it was written for (a runbook drafted from one service's history): it then matches only their
    # incidents. Empty: any service.
    services: tuple[str, ...] = ()

    @property
    def actions(self) -> tuple[str, ...]:
        """The catalog actions its steps map to, in step order, without repeats."""
        return tuple(dict.fromkeys(step.action for step in self.steps if step.action))

    def to_dict(self, incident: Incident | None = None) -> dict[str, Any]:
        """The API shape: {"id", "name", "description", "steps": [...]}, steps filled in for `incident` if given;
        `step_specs` the steps as data (what each runs), as a runbook is imported or saved."""
        return {
            "id": self.id,
            "name": self.name,
            "description": self.description,
            "steps": render_steps(self, incident),
            "actions": list(self.actions),
            "step_specs": [step_spec(step) for step in self.steps],
            "rules": list(self.rules),
            "alertnames": list(self.alertnames),
            "keywords": list(self.keywords),
            "services": list(self.services),
        }


def step_spec(step: RunbookStep) -> dict[str, Any]:
    """A step as data: its title and command, what it runs (read, action with arguments) and its kind."""
    spec: dict[str, Any] = {"title": step.title, "kind": step.kind.value}
    for name in ("command", "read", "action"):
        value = getattr(step, name)
        if value is not None:
            spec[name] = value
    if step.arguments:
        spec["arguments"] = dict(step.arguments)
    return spec


@dataclass(frozen=True)
class RunbookMatch:
    runbook_id: str
    name: str
    score: float
    reason: str


# Scores: any finding match (0.5..1.0) outranks any keyword-only match (below 0.5).
_ALERTNAME_SCORE = 0.35
_KEYWORD_SCORE = 0.25
# The diagnosis' own words name the failure more surely than the alert's title does.
_DIAGNOSIS_SCORE = 0.4
_EXTRA_HIT = 0.05
_KEYWORD_CAP = 0.45
_BOTH_BONUS = 0.05

# Alert labels whose values name the failure (not the workload, whose names would match words by accident).
_ALERT_LABELS = ("alertname", "alert", "alert_name", "reason", "condition", "check", "monitor", "rule")


def _word_pattern(word: str) -> re.Pattern[str]:
    # Whole token for alert names; start of a word for plain words ("crashloop" in "crashloopbackoff").
    return re.compile(r"(?<![a-z0-9])" + re.escape(word.lower()))


def _token_pattern(name: str) -> re.Pattern[str]:
    return re.compile(r"(?<![a-z0-9])" + re.escape(name.lower()) + r"(?![a-z0-9])")


def _alert_text(incident_title: str, labels: Mapping[str, str] | None) -> str:
    values = [incident_title, *((labels or {}).get(key, "") for key in _ALERT_LABELS)]
    return "\n".join(v for v in values if isinstance(v, str) and v).lower()


_Patterns = tuple[tuple[tuple[str, re.Pattern[str]], ...], tuple[tuple[str, re.Pattern[str]], ...]]


class RunbookCatalog:
    """The runbooks, in catalog order, indexed by the finding rules they cover."""

    def __init__(self, runbooks: Iterable[Runbook]):
        self.runbooks: dict[str, Runbook] = {}
        self._by_rule: dict[str, tuple[str, ...]] = {}
        for runbook in runbooks:
            if runbook.id in self.runbooks:
                raise ValueError(f"runbook id {runbook.id!r} is used twice")
            self.runbooks[runbook.id] = runbook
            for rule in runbook.rules:
                self._by_rule[rule] = (*self._by_rule.get(rule, ()), runbook.id)
        self._patterns: dict[str, _Patterns] = {
            runbook.id: (
                tuple((name, _token_pattern(name)) for name in runbook.alertnames),
                tuple((word, _word_pattern(word)) for word in runbook.keywords),
            )
            for runbook in self.runbooks.values()
        }

    def get(self, runbook_id: str) -> Runbook | None:
        return self.runbooks.get(runbook_id)

    def for_rule(self, rule: str) -> tuple[str, ...]:
        """The ids of the runbooks covering an analyzer finding rule (empty if none)."""
        return self._by_rule.get(rule, ())

    def match(
        self,
        findings: Iterable[Conclusion],
        incident_title: str = "",
        labels: Mapping[str, str] | None = None,
        *,
        diagnosis: str = "",
        service: str | None = None,
    ) -> list[RunbookMatch]:
        """Runbooks for an incident, best first: finding rules match strongly, alert names and words weakly.

        A runbook matched by a finding scores 0.5 + 0.5 x the finding's confidence (plus a little when the
        alert also matches); one matched only by the alert's title or failure labels, or by the words of the
        incident's diagnosis (`diagnosis`, its summary), scores below 0.5. A runbook written for some services
        matches only their incidents (`service`), a little higher. Ties go by id.
        """
        best: dict[str, Conclusion] = {}
        for finding in findings:
            for runbook_id in self.for_rule(finding.rule):
                if runbook_id not in best or finding.confidence > best[runbook_id].confidence:
                    best[runbook_id] = finding
        text = _alert_text(incident_title, labels)
        said = diagnosis.lower()
        matches: list[RunbookMatch] = []
        for runbook in self.runbooks.values():
            if runbook.services and service not in runbook.services:
                continue
            alertnames, words = self._patterns[runbook.id]
            hit_names = [name for name, pattern in alertnames if pattern.search(text)] if text else []
            hit_words = [word for word, pattern in words if pattern.search(text)] if text else []
            hits = hit_names + hit_words
            diagnosed = [
                term for term, pattern in (*alertnames, *words) if term not in hits and said and pattern.search(said)
            ]
            top = best.get(runbook.id)
            if top is None and not hits and not diagnosed:
                continue
            reasons = [f"alert matches {', '.join(repr(h) for h in hits)}"] if hits else []
            reasons += [f"diagnosis matches {', '.join(repr(h) for h in diagnosed)}"] if diagnosed else []
            # A runbook written for this very service is a little more likely to be the right one.
            own = _BOTH_BONUS if runbook.services else 0.0
            if runbook.services:
                reasons.append(f"written for service {service}")
            if top is not None:
                score = 0.5 + 0.5 * top.confidence + (_BOTH_BONUS if hits or diagnosed else 0.0) + own
                reasons.insert(0, f"finding {top.rule} (confidence {top.confidence:.2f})")
            else:
                base = max(
                    _ALERTNAME_SCORE if hit_names else 0.0,
                    _KEYWORD_SCORE if hit_words else 0.0,
                    _DIAGNOSIS_SCORE if diagnosed else 0.0,
                )
                score = min(base + _EXTRA_HIT * (len(hits) + len(diagnosed) - 1) + own, _KEYWORD_CAP)
            matches.append(RunbookMatch(runbook.id, runbook.name, round(min(score, 1.0), 3), "; ".join(reasons)))
        matches.sort(key=lambda m: (-m.score, m.runbook_id))
        return matches


_PLACEHOLDER = re.compile(r"\{(namespace|pod|deployment|service|node|job|container)\}")
# Only plain Kubernetes-style names are filled in: label values are untrusted, and the steps are
# commands a person may paste into a shell.
_SAFE_VALUE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,252}$")


def placeholder_values(incident: Incident) -> dict[str, str]:
    """The incident's names a step may use ({namespace}, {pod}...): its fields first, then its labels; only
    values that are plain Kubernetes-style names."""
    labels = incident.labels
    candidates = {
        "namespace": incident.namespace or labels.get("namespace"),
        "pod": incident.pod or labels.get("pod"),
        "deployment": incident.deployment or labels.get("deployment"),
        "service": incident.service or labels.get("service") or incident.deployment or labels.get("deployment"),
        "node": labels.get("node"),
        "job": labels.get("job_name"),
        "container": labels.get("container"),
    }
    return {key: value for key, value in candidates.items() if value and _SAFE_VALUE.match(value)}


def render_command(command: str, values: Mapping[str, str]) -> str:
    """A step's command with the incident's names filled in; a placeholder without a (safe) value stays <name>."""
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), f"<{m.group(1)}>"), command)


def render_step(step: RunbookStep, values: Mapping[str, str] | None = None) -> str:
    """One step as text; placeholders without a (safe) value become <name> for the reader to fill in."""
    values = values or {}
    text = step.title
    if step.command:
        text += f": {render_command(step.command, values)}"
    if step.action:
        arguments = "".join(f" {name}={value}" for name, value in sorted(step.arguments.items()))
        text += f" [action: {step.action}{arguments}]"
    elif step.read:
        text += f" [read: {step.read}]"
    return text


def render_steps(runbook: Runbook, incident: Incident | None = None) -> list[str]:
    """The runbook's steps as text, with {namespace} {pod} {deployment} {service} {node} {job} {container}
    filled in from the incident (its fields first, then its labels)."""
    values = placeholder_values(incident) if incident is not None else {}
    return [render_step(step, values) for step in runbook.steps]
