"""Whether what was read shows a healthy workload: its pods running and ready, no restarts of late, no warning
events, no container waiting on something. "Healthy" is a conclusion with its evidence, not the absence of a
finding: a workload nothing could be read about is unknown, not healthy."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from aisre.investigations.model.evidence import BROAD_TOOLS, ToolResult
from aisre.investigations.model.questions.targets import parse_rows

_STARTING = frozenset({"ContainerCreating", "PodInitializing"})
_AGE = re.compile(r"^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$")
# A workload younger than this that is not yet fully ready is starting, not failing.
ROLLOUT_GRACE_SECONDS = 300


@dataclass
class Health:
    healthy: bool | None  # None: nothing was read that says either way
    good: list[str] = field(default_factory=list)  # what shows it is healthy
    problems: list[str] = field(default_factory=list)  # what shows it is not
    notes: list[str] = field(default_factory=list)  # worth saying, not a problem (a restart long ago, a rollout)
    pods: dict[str, bool] = field(default_factory=dict)  # each pod read: running and ready or not

    @property
    def pod_summary(self) -> str | None:
        """ "3/3 pods running and ready" (None when no pod was read)."""
        if not self.pods:
            return None
        ready = sum(1 for ok in self.pods.values() if ok)
        noun = "pod" if len(self.pods) == 1 else "pods"
        return f"{ready}/{len(self.pods)} {noun} running and ready"


def age_seconds(text: str) -> int | None:
    match = _AGE.fullmatch(text.strip())
    if not match or not any(match.groups()):
        return None
    days, hours, minutes, seconds = (int(g or 0) for g in match.groups())
    return ((days * 24 + hours) * 60 + minutes) * 60 + seconds


def assess(results: Iterable[ToolResult], names: Iterable[str] = ()) -> Health:
    """The health of the objects named (a workload and its pods) from the describes and rows about them."""
    wanted = [n.lower() for n in names if n]
    health = Health(healthy=None)
    described_pods = 0
    for result in results:
        if result.status != "success" or not result.text:
            continue
        kind = str(result.params.get("kind") or "").lower()
        if result.tool == "kubectl_describe" and kind == "pod":
            described_pods += 1
            _pod_describe(result.text, health)
        elif result.tool in ("kubectl_get_by_name", "kubectl_find_resource", *BROAD_TOOLS):
            for row in parse_rows(result.text, kind or None):
                if wanted and not any(row.name.lower() == n or row.name.lower().startswith(n + "-") for n in wanted):
                    continue
                _row(row.line, row.name, row.ready, row.status, kind or row.kind, health, described_pods > 0)
    if health.problems:
        health.healthy = False
    elif health.good:
        health.healthy = True
    return health


def _pod_describe(text: str, health: Health) -> None:
    name = _field(text, "Name") or "the pod"
    status = _field(text, "Status")
    problems_before = len(health.problems)
    if status and status not in ("Running", "Succeeded"):
        health.problems.append(f"pod {name} is {status}")
    for state, reason in re.findall(r"^\s+State:\s+(\w+)\s*\n\s+Reason:\s+(\S+)", text, re.MULTILINE):
        if state == "Waiting" and reason not in _STARTING:
            health.problems.append(f"pod {name}: a container is waiting ({reason})")
        elif state == "Terminated" and reason not in ("Completed",):
            health.problems.append(f"pod {name}: a container terminated ({reason})")
    ready = re.findall(r"^\s+Ready:\s+(\w+)", text, re.MULTILINE)
    restarts = [int(n) for n in re.findall(r"^\s+Restart Count:\s+(\d+)", text, re.MULTILINE)]
    warnings = [line.strip() for line in _events(text) if line.strip().startswith("Warning")]
    if warnings:
        health.problems.append(f"pod {name} has warning events: {warnings[0]}")
    if sum(restarts):
        health.notes.append(f"pod {name} restarted {sum(restarts)} time(s)")
    if status == "Running" and ready and all(r == "True" for r in ready) and not warnings:
        health.good.append(
            f"pod {name}: Running, {len(ready)}/{len(ready)} containers ready, {sum(restarts)} restarts, "
            "no warning events"
        )
    elif status == "Running" and ready and not all(r == "True" for r in ready):
        health.problems.append(f"pod {name} is Running but not ready")
    # The describe is the fuller account: it decides over the pod's row in a listing.
    health.pods[name] = status == "Running" and len(health.problems) == problems_before


def _row(line: str, name: str, ready: str | None, status: str | None, kind: str | None, health: Health,
         pods_described: bool) -> None:  # fmt: skip
    cells = line.split()
    age = next((a for a in (age_seconds(c) for c in cells[2:]) if a is not None), None)
    if kind in (None, "pod") and status and name not in health.pods:
        health.pods[name] = status == "Running" and bool(ready) and _full(ready or "")
    if status and (status in _STARTING or status == "Running" or status == "Completed"):
        if status == "Running" and ready and _full(ready):
            health.good.append(f"{kind or 'pod'} {name}: {ready} ready, {status}")
        elif status in _STARTING:
            health.notes.append(f"pod {name} is starting ({status})")
        elif ready and not _full(ready) and not pods_described:
            health.problems.append(f"{kind or 'pod'} {name}: only {ready} containers ready")
        return
    if status:
        health.problems.append(f"{kind or 'pod'} {name} is {status}")
        return
    if ready and "/" in ready:
        if _full(ready):
            health.good.append(f"{kind or 'workload'} {name}: {ready} ready")
        elif age is not None and age < ROLLOUT_GRACE_SECONDS:
            health.notes.append(f"{kind or 'workload'} {name} was {ready} ready at {cells_age(age)} old (rolling out)")
        elif not pods_described:
            health.problems.append(f"{kind or 'workload'} {name}: only {ready} ready")


def cells_age(seconds: int) -> str:
    return f"{seconds}s" if seconds < 120 else f"{seconds // 60}m"


def _full(ready: str) -> bool:
    have, _, want = ready.partition("/")
    return have == want and have not in ("", "0")


def _field(text: str, name: str) -> str | None:
    match = re.search(rf"^{name}:\s+(.+)$", text, re.MULTILINE)
    return match.group(1).strip() if match else None


def _events(text: str) -> list[str]:
    _, _, after = text.partition("\nEvents:")
    return [line for line in after.splitlines()[1:] if line.strip() and not line.strip().startswith(("Type", "----"))]
