"""Controllers as `kubectl describe` shows them (Deployment, ReplicaSet, StatefulSet, DaemonSet, Job, CronJob):
their owner, their selector, and the children their events and fields name."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from aisre.investigations.model.kubectl.labels import selector_pairs
from aisre.investigations.model.kubectl.text import NONE_VALUES, event_lines, section, table, value_of

_OWNER = re.compile(r"^(\w+)/([\w.-]+)")
# "NewReplicaSet:   web-6d4cf56db6 (3/3 replicas created)"; OldReplicaSets may list several, comma-separated.
_REPLICASET = re.compile(r"([a-z0-9][\w.-]*) \(\d+/\d+ replicas created\)")
# Children named by the controllers' events: "Created pod: x" (ReplicaSet, Job), "create Pod x in StatefulSet y
# successful", "create Claim data-x-0 Pod x-0 in StatefulSet x success", "Created job x" (CronJob),
# "Saw completed job: x, status: Failed".
_CREATED_POD = re.compile(r"Created pod: ([\w.-]+)|create Pod ([\w.-]+) in StatefulSet")
_CREATED_CLAIM = re.compile(r"create Claim ([\w.-]+) Pod")
_CREATED_JOB = re.compile(r"Created job:? ([\w.-]+)|Saw completed job: ([\w.-]+)")
_FAILED_JOB = re.compile(r"Saw completed job: ([\w.-]+), status: Failed")


@dataclass
class WorkloadFacts:
    kind: str
    name: str
    namespace: str
    owner: tuple[str, str] | None = None
    selector: dict[str, str] = field(default_factory=dict)
    replicasets: list[str] = field(default_factory=list)  # the new one first
    pods: list[str] = field(default_factory=list)
    claims: list[str] = field(default_factory=list)
    claim_templates: list[str] = field(default_factory=list)  # a StatefulSet's volumeClaimTemplates
    jobs: list[str] = field(default_factory=list)  # a CronJob's, failed ones first
    events: list[str] = field(default_factory=list)


def parse_workload(text: str, kind: str, name: str = "", namespace: str = "") -> WorkloadFacts:
    facts = WorkloadFacts(kind=kind, name=value_of(text, "Name") or name, namespace=value_of(text, "Namespace") or "")
    facts.namespace = facts.namespace or namespace
    owner = _OWNER.match(value_of(text, "Controlled By") or "")
    facts.owner = (owner.group(1), owner.group(2)) if owner else None
    facts.selector = selector_pairs(value_of(text, "Selector"))
    for key in ("NewReplicaSet", "OldReplicaSets"):
        facts.replicasets += _REPLICASET.findall(value_of(text, key) or "")
    facts.events = event_lines(text)
    joined = "\n".join(facts.events)
    facts.pods = _unique(next(g for g in m.groups() if g) for m in _CREATED_POD.finditer(joined))
    facts.claims = _unique(_CREATED_CLAIM.findall(joined))
    failed = _FAILED_JOB.findall(joined)
    created = [next(g for g in m.groups() if g) for m in _CREATED_JOB.finditer(joined)]
    active = [j.strip() for j in (value_of(text, "Active Jobs") or "").split(",") if j.strip() not in NONE_VALUES]
    # The latest runs matter most: events are oldest first.
    facts.jobs = _unique([*reversed(failed), *active, *reversed(created)])
    facts.claim_templates = _claim_templates(section(text, "Volume Claims"))
    return facts


def _claim_templates(lines: list[str]) -> list[str]:
    names = []
    for line in lines:
        key, _, value = line.strip().partition(":")
        if key == "Name" and value.strip():
            names.append(value.strip())
    return names


def _unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))


@dataclass(frozen=True)
class JobRow:
    name: str
    status: str
    completions: str

    @property
    def failed(self) -> bool:
        done, _, wanted = self.completions.partition("/")
        return self.status == "Failed" or (self.status not in ("Running", "Complete") and done != wanted)


def job_rows(text: str) -> list[JobRow]:
    """`kubectl get jobs`: newer kubectl prints a STATUS column, older ones only COMPLETIONS."""
    return [
        JobRow(row["NAME"], row.get("STATUS", ""), row.get("COMPLETIONS", "")) for row in table(text) if row.get("NAME")
    ]
