"""Small things several rules need: the pods' containers as described, and how to name them."""

from __future__ import annotations

from dataclasses import dataclass

from aisre.investigations.model.evidence import Evidence, ToolResult
from aisre.investigations.model.kubectl.containers import ContainerInfo, parse_containers


@dataclass(frozen=True)
class DescribedContainer:
    pod: str
    namespace: str
    info: ContainerInfo
    source: ToolResult

    @property
    def where(self) -> str:
        kind = "init container" if self.info.init else "container"
        return f"{kind} `{self.info.name}` of pod `{self.pod}` (namespace `{self.namespace}`)"

    def state_line(self) -> str:
        """The describe facts about the container's state, in describe's own words."""
        parts = [f"State: {self.info.state}"]
        if self.info.state_reason:
            parts.append(f"Reason: {self.info.state_reason}")
        if self.info.last_state:
            parts.append(f"Last State: {self.info.last_state}")
        if self.info.last_reason:
            parts.append(f"Reason: {self.info.last_reason}")
        if self.info.exit_code:
            parts.append(f"Exit Code: {self.info.exit_code}")
        if self.info.restart_count:
            parts.append(f"Restart Count: {self.info.restart_count}")
        return f"{self.pod}/{self.info.name}: " + ", ".join(parts)


def pod_containers(evidence: Evidence) -> list[DescribedContainer]:
    out: list[DescribedContainer] = []
    for result in evidence.describes("pod"):
        if result.status != "success":
            continue
        pod = str(result.params.get("name", "?"))
        namespace = str(result.params.get("namespace") or "default")
        out.extend(DescribedContainer(pod, namespace, info, result) for info in parse_containers(result.text))
    return out


def crash_looping(evidence: Evidence) -> list[DescribedContainer]:
    return [c for c in pod_containers(evidence) if c.info.crash_looping]


def crash_phrase(evidence: Evidence) -> str:
    """' The pod is in CrashLoopBackOff.' when describe says so: the cause and the symptom belong together."""
    looping = crash_looping(evidence)
    if not looping:
        return ""
    first = looping[0]
    return f" As a result {first.where} is in CrashLoopBackOff (restarted {first.info.restart_count} times)."
