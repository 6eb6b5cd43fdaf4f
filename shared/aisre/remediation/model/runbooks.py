"""Runbooks: what one is, the catalog that matches runbooks to an incident, and its steps rendered for it.

The catalog's content is data (remediation/runbooks/*.yaml, read by adapters/runbook_files.py); this module
only parses what it is given. Each runbook covers some of the analyzer's finding rules (a strong match) and
some alert names and words (a weaker one). Its steps read first and act after; an acting step names the
remediation catalog action it maps to (model/actions.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from aisre.incidents.model.incident import Incident
from aisre.remediation.model.conclusions import Conclusion


@dataclass(frozen=True)
class RunbookStep:
    """One step: what to do, the command that does it, and the catalog action when the step acts."""

    title: str
    command: str | None = None
    # A name in aisre.remediation.model.actions.CATALOG; None for a step that only reads.
    action: str | None = None


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

    @property
    def actions(self) -> tuple[str, ...]:
        """The catalog actions its steps map to, in step order, without repeats."""
        return tuple(dict.fromkeys(step.action for step in self.steps if step.action))

    def to_dict(self, incident: Incident | None = None) -> dict[str, Any]:
        """The API shape: {"id", "name", "description", "steps": [...]}, steps filled in for `incident` if given."""
        return {
            "id": self.id,
            "name": self.name,
            "description": self.description,
            "steps": render_steps(self, incident),
            "actions": list(self.actions),
        }


@dataclass(frozen=True)
class RunbookMatch:
    runbook_id: str
    name: str
    score: float
    reason: str


# Scores: any finding match (0.5..1.0) outranks any keyword-only match (below 0.5).
_ALERTNAME_SCORE = 0.35
_KEYWORD_SCORE = 0.25
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


def runbook_from_data(data: Mapping[str, Any], shared_steps: Mapping[str, RunbookStep] | None = None) -> Runbook:
    """A runbook from its YAML form; a step given as `{use: name}` is the shared step of that name.
    ValueError names what is missing or wrong."""
    shared_steps = shared_steps or {}
    try:
        steps: list[RunbookStep] = []
        for item in data["steps"]:
            if "use" in item:
                if item["use"] not in shared_steps:
                    raise ValueError(f"unknown shared step {item['use']!r}")
                steps.append(shared_steps[item["use"]])
            else:
                steps.append(step_from_data(item))
        return Runbook(
            id=str(data["id"]),
            name=str(data["name"]),
            description=str(data["description"]),
            rules=tuple(str(rule) for rule in data.get("rules") or ()),
            alertnames=tuple(str(name) for name in data.get("alertnames") or ()),
            keywords=tuple(str(word) for word in data.get("keywords") or ()),
            steps=tuple(steps),
        )
    except (KeyError, TypeError) as error:
        raise ValueError(f"runbook {data.get('id', '?') if isinstance(data, Mapping) else '?'}: {error!r}") from error


def step_from_data(data: Mapping[str, Any]) -> RunbookStep:
    return RunbookStep(str(data["title"]), data.get("command"), data.get("action"))


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
    ) -> list[RunbookMatch]:
        """Runbooks for an incident, best first: finding rules match strongly, alert names and words weakly.

        A runbook matched by a finding scores 0.5 + 0.5 x the finding's confidence (plus a little when the
        alert also matches); one matched only by the alert's title or failure labels scores below 0.5. Ties
        go by id.
        """
        best: dict[str, Conclusion] = {}
        for finding in findings:
            for runbook_id in self.for_rule(finding.rule):
                if runbook_id not in best or finding.confidence > best[runbook_id].confidence:
                    best[runbook_id] = finding
        text = _alert_text(incident_title, labels)
        matches: list[RunbookMatch] = []
        for runbook in self.runbooks.values():
            alertnames, words = self._patterns[runbook.id]
            hit_names = [name for name, pattern in alertnames if pattern.search(text)] if text else []
            hit_words = [word for word, pattern in words if pattern.search(text)] if text else []
            hits = hit_names + hit_words
            top = best.get(runbook.id)
            if top is None and not hits:
                continue
            alert_reason = f"alert matches {', '.join(repr(h) for h in hits)}" if hits else ""
            if top is not None:
                score = 0.5 + 0.5 * top.confidence + (_BOTH_BONUS if hits else 0.0)
                reason = f"finding {top.rule} (confidence {top.confidence:.2f})"
                reason += f"; {alert_reason}" if alert_reason else ""
            else:
                score = (_ALERTNAME_SCORE if hit_names else _KEYWORD_SCORE) + _EXTRA_HIT * (len(hits) - 1)
                score = min(score, _KEYWORD_CAP)
                reason = alert_reason
            matches.append(RunbookMatch(runbook.id, runbook.name, round(min(score, 1.0), 3), reason))
        matches.sort(key=lambda m: (-m.score, m.runbook_id))
        return matches


_PLACEHOLDER = re.compile(r"\{(namespace|pod|deployment|service|node|job|container)\}")
# Only plain Kubernetes-style names are filled in: label values are untrusted, and the steps are
# commands a person may paste into a shell.
_SAFE_VALUE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,252}$")


def _placeholder_values(incident: Incident) -> dict[str, str]:
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


def render_step(step: RunbookStep, values: Mapping[str, str] | None = None) -> str:
    """One step as text; placeholders without a (safe) value become <name> for the reader to fill in."""
    values = values or {}
    text = step.title
    if step.command:
        command = _PLACEHOLDER.sub(lambda m: values.get(m.group(1), f"<{m.group(1)}>"), step.command)
        text += f": {command}"
    if step.action:
        text += f" [action: {step.action}]"
    return text


def render_steps(runbook: Runbook, incident: Incident | None = None) -> list[str]:
    """The runbook's steps as text, with {namespace} {pod} {deployment} {service} {node} {job} {container}
    filled in from the incident (its fields first, then its labels)."""
    values = _placeholder_values(incident) if incident is not None else {}
    return [render_step(step, values) for step in runbook.steps]
