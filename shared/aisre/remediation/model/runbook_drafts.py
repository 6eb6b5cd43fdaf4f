"""A runbook drafted from a workspace's own history (POST /runbooks/generate): the incidents of one service that
show one pattern, what their diagnoses said, which catalog actions resolved them and the notes left on them.

Pure. The draft's steps: the reads of the catalog runbook the pattern calls for (else the reads of the targets
those incidents named), the causes found before, each catalog action that resolved some of them (most used
first, with the arguments used most), and the resolution notes. History's words (diagnoses, notes, titles) only
ever become step titles, text for a person; what a step runs is named from the catalog, never read from them.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from aisre.incidents.model.incident import ActionRecord, Incident
from aisre.remediation.model.actions import CATALOG
from aisre.remediation.model.runbook_documents import RUNBOOK_ID
from aisre.remediation.model.runbook_reads import READS
from aisre.remediation.model.runbooks import Runbook, RunbookCatalog, RunbookStep, StepKind

# What a person would type for each action (a drafted step's command).
ACTION_COMMANDS = {
    "restart_pod": "kubectl delete pod {pod} -n {namespace}",
    "scale_deployment": "kubectl scale deployment/{deployment} -n {namespace} --replicas={replicas}",
    "rollback_deployment": "kubectl rollout undo deployment/{deployment} -n {namespace}",
    "suggest_config_fix": "kubectl edit deployment {deployment} -n {namespace}",
}
_ACTION_TITLES = {
    "restart_pod": "Restart the pod so its controller recreates it",
    "scale_deployment": "Scale the deployment to {replicas} replicas",
    "rollback_deployment": "Roll the deployment back to its previous revision",
    "suggest_config_fix": "Propose a configuration change for a person to review",
}
# Spellings people know a pattern by; any other is written from its words.
_PATTERN_NAMES = {
    "oomkilled": "OOMKilled",
    "crashloopbackoff": "CrashLoopBackOff",
    "crashloop": "CrashLoop",
    "imagepullbackoff": "ImagePullBackOff",
}
MAX_QUOTE = 200
MAX_NOTES = 3
MAX_CAUSES = 2


@dataclass(frozen=True)
class PastIncident:
    """One incident of the history: itself, the summary of its latest diagnosis, and the actions taken on it."""

    incident: Incident
    diagnosis: str | None
    actions: tuple[ActionRecord, ...] = ()


@dataclass(frozen=True)
class RunbookDraft:
    runbook: Runbook
    pattern: str
    service: str
    occurrences: int
    first_seen: datetime | None
    last_seen: datetime | None
    resolved_by: dict[str, int]  # catalog action -> in how many incidents it succeeded


def _squash(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def normalize_pattern(pattern: str) -> str:
    """The pattern as a key: lowercase words joined by `_` ("High CPU" -> "high_cpu")."""
    return "_".join(re.findall(r"[a-z0-9]+", pattern.lower()))


def pattern_name(pattern: str) -> str:
    key = _squash(pattern)
    if key in _PATTERN_NAMES:
        return _PATTERN_NAMES[key]
    words = normalize_pattern(pattern).split("_")
    return " ".join(word.upper() if len(word) <= 3 else word.capitalize() for word in words)


def of_service(incident: Incident, service: str) -> bool:
    names = (incident.service, incident.deployment, incident.labels.get("service"), incident.labels.get("app"))
    return service in names


def shows_pattern(incident: Incident, diagnosis: str | None, pattern: str) -> bool:
    """Whether the incident shows the pattern: its words, run together, in the incident's title, failure labels,
    description or diagnosis ("high_cpu" in "High CPU on payments-api", "oomkilled" in "OOMKilled")."""
    key = _squash(pattern)
    if not key:
        return False
    texts = [incident.title, incident.description, diagnosis or ""]
    texts += [incident.labels.get(name, "") for name in ("alertname", "reason", "condition", "check")]
    return any(key in _squash(text) for text in texts if text)


def _quote(text: str) -> str:
    line = " ".join(text.split())
    return line if len(line) <= MAX_QUOTE else line[: MAX_QUOTE - 1] + "…"


def _resolving(history: Sequence[PastIncident]) -> tuple[Counter[str], dict[str, Counter[int]]]:
    """Per catalog action: in how many incidents it succeeded (not a dry run), and the replica counts used."""
    used: Counter[str] = Counter()
    replicas: dict[str, Counter[int]] = {}
    for past in history:
        seen = set()
        for record in past.actions:
            if record.action not in CATALOG or record.outcome != "success" or record.dry_run:
                continue
            seen.add(record.action)
            value = record.details.get("replicas")
            if isinstance(value, int) and not isinstance(value, bool):
                replicas.setdefault(record.action, Counter())[value] += 1
        used.update(seen)
    return used, replicas


def _notes(history: Sequence[PastIncident]) -> list[str]:
    notes: list[str] = []
    for past in sorted(history, key=lambda p: p.incident.created_at, reverse=True):
        for record in past.actions:
            note = record.details.get("note")
            if record.action == "resolve" and isinstance(note, str) and note.strip() and _quote(note) not in notes:
                notes.append(_quote(note))
    return notes[:MAX_NOTES]


def _read_steps(pattern: str, history: Sequence[PastIncident], catalog: RunbookCatalog) -> list[RunbookStep]:
    """The reads of the catalog runbook the pattern calls for; else those the incidents' targets allow."""
    matches = catalog.match([], pattern_name(pattern)) or catalog.match([], pattern.replace("_", " "))
    for match in matches:
        runbook = catalog.get(match.runbook_id)
        reads = [step for step in runbook.steps if step.kind is StepKind.READ] if runbook else []
        if reads:
            return reads
    steps = []
    if any(past.incident.pod for past in history):
        steps.append(
            RunbookStep("Read the pod's state and last termination", READS["pod_status"].command, read="pod_status")
        )
    if any(past.incident.deployment for past in history):
        for name in ("deployment_status", "rollout_history"):
            steps.append(RunbookStep(READS[name].description, READS[name].command, read=name))
    return steps


def _action_step(action: str, count: int, total: int, replicas: Counter[int] | None) -> RunbookStep:
    arguments = {}
    if action == "scale_deployment":
        if not replicas:
            return RunbookStep(
                f"Scale the deployment (done in {count} of {total} earlier incidents; the replica count was not kept)",
                ACTION_COMMANDS[action].replace("{replicas}", "<replicas>"),
            )
        arguments = {"replicas": replicas.most_common(1)[0][0]}
    title = _ACTION_TITLES[action].format(**arguments)
    command = ACTION_COMMANDS[action].format_map(_KeepPlaceholders(arguments))
    return RunbookStep(
        f"{title} (resolved {count} of {total} earlier incidents)", command, action=action, arguments=arguments
    )


class _KeepPlaceholders(dict[str, object]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def draft_id(pattern: str, service: str) -> str:
    """generated-<pattern>-<service>, as an id may be spelt (lowercase words and dashes, at most 128)."""
    slug = "-".join(re.findall(r"[a-z0-9]+", f"generated {pattern} {service}".lower()))[:128].strip("-")
    return slug if RUNBOOK_ID.match(slug) else "generated-runbook"


def draft_runbook(service: str, pattern: str, history: Sequence[PastIncident], catalog: RunbookCatalog) -> RunbookDraft:
    """A runbook from `history`: the incidents of `service` that show `pattern` (already chosen)."""
    total = len(history)
    name = pattern_name(pattern)
    causes = Counter(_quote(past.diagnosis) for past in history if past.diagnosis)
    used, replicas = _resolving(history)
    notes = _notes(history)
    steps = _read_steps(pattern, history, catalog)
    for cause, count in causes.most_common(MAX_CAUSES):
        steps.append(RunbookStep(f"Check whether the cause is the one found before ({count} of {total}): {cause}"))
    for action, count in sorted(used.items(), key=lambda item: (-item[1], item[0])):
        steps.append(_action_step(action, count, total, replicas.get(action)))
    if not used:
        steps.append(
            RunbookStep("No catalog action is recorded on these incidents: they resolved without one, or by hand")
        )
    steps += [RunbookStep(f"Resolved before with the note: '{note}'") for note in notes]
    alertnames = Counter(
        past.incident.labels["alertname"]
        for past in history
        if re.fullmatch(r"[A-Za-z0-9_.:-]{1,200}", past.incident.labels.get("alertname", ""))
    )
    moments = sorted(past.incident.created_at for past in history)
    span = f" between {moments[0]:%Y-%m-%d} and {moments[-1]:%Y-%m-%d}" if moments else ""
    description = (
        f"Drafted from {total} incidents of {service} showing {name}{span}. "
        + (f"Resolved by {', '.join(f'{a} ({n}x)' for a, n in used.most_common())}." if used else "")
    ).strip()
    runbook = Runbook(
        id=draft_id(pattern, service),
        name=f"{name} Recovery for {service}",
        description=description,
        rules=(),
        alertnames=tuple(name for name, _count in alertnames.most_common(5)),
        keywords=(normalize_pattern(pattern).replace("_", " "),),
        steps=tuple(steps),
        services=(service,),
    )
    return RunbookDraft(
        runbook=runbook,
        pattern=pattern,
        service=service,
        occurrences=total,
        first_seen=moments[0] if moments else None,
        last_seen=moments[-1] if moments else None,
        resolved_by=dict(used),
    )
