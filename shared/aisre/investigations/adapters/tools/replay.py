"""A ToolRunner that answers from recorded tool outputs (HolmesGPT's fixture format), as the cluster did then."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aisre.investigations.model.evidence import ToolResult

# kubectl ignores --namespace for these, so a recording's namespace says nothing about which call it answers.
CLUSTER_SCOPED = frozenset(
    {"node", "namespace", "persistentvolume", "storageclass", "clusterrole", "clusterrolebinding", "ingressclass"}
)
_PARAMETER_ALIASES = {
    "resource_name": ("pod_name", "name"),
    "pod_name": ("resource_name", "name"),
    "name": ("resource_name", "pod_name"),
    "resource_type": ("kind",),
    "kind": ("resource_type",),
}
_FAILED_OUTPUT = ("Error from server", "failed with return code", "not found")


@dataclass(frozen=True)
class Recording:
    """One recorded call: line 1 names the tool and the parameters it answers, line 2 is metadata, then output."""

    tool: str
    match_params: Mapping[str, Any] | None
    status: str
    error: str | None
    text: str
    source: str = ""
    # The parameters the call that made the recording carried (line 2's `params`), when they were kept.
    invoked_params: Mapping[str, Any] | None = None

    @property
    def succeeded(self) -> bool:
        return self.status == "success" and not any(marker in self.text for marker in _FAILED_OUTPUT)


def parse_recording(content: str, source: str = "") -> Recording | None:
    """None for a file that is not a recording (no JSON header naming a tool)."""
    lines = content.split("\n", 2)
    try:
        header = json.loads(lines[0])
        meta = json.loads(lines[1]) if len(lines) > 1 and lines[1].startswith("{") else {}
    except (json.JSONDecodeError, IndexError):
        return None
    if not isinstance(header, dict) or "tool_name" not in header:
        return None
    body = lines[2] if len(lines) > 2 else ""
    return Recording(
        tool=str(header["tool_name"]),
        match_params=header.get("match_params"),
        status=str(meta.get("status") or "success"),
        error=meta.get("error"),
        text=body,
        source=source,
        invoked_params=meta.get("params") if isinstance(meta.get("params"), dict) else None,
    )


def _same(key: str, want: Any, got: Any) -> bool:
    if key == "kind":
        return str(want).lower() == str(got).lower()
    if key == "url":
        return str(want).rstrip("/") == str(got).rstrip("/")
    return str(want) == str(got)


def match_score(match_params: Mapping[str, Any] | None, params: Mapping[str, Any]) -> int | None:
    """How specifically a recording answers a call (more matched keys is better), or None when it does not."""
    if match_params is None:
        return 0
    kind = str(params.get("kind") or match_params.get("kind") or "").lower()
    score = 0
    for key, want in match_params.items():
        if (key == "namespace" and kind in CLUSTER_SCOPED) or want == "*":
            continue
        got = params.get(key)
        if got is None:
            # HolmesGPT's releases name an object's parameter differently (kubectl_events: pod_name, later
            # resource_name): a recording made with one answers a call made with another.
            got = next((params[alias] for alias in _PARAMETER_ALIASES.get(key, ()) if params.get(alias)), None)
        if got is None or not _same(key, want, got):
            return None
        score += 1
    return score


class ReplayToolRunner:
    """Serves recordings by tool name and parameters; an unrecorded call is answered as a cluster would."""

    def __init__(self, recordings: Iterable[Recording]) -> None:
        self.recordings = list(recordings)

    @classmethod
    def from_dir(cls, folder: Path) -> ReplayToolRunner:
        recordings = []
        for path in sorted(folder.glob("*.txt")):
            recording = parse_recording(path.read_text(encoding="utf-8", errors="replace"), path.name)
            if recording is not None:
                recordings.append(recording)
        return cls(recordings)

    def available_tools(self) -> frozenset[str]:
        return frozenset(r.tool for r in self.recordings)

    def _recorded_elsewhere(self, tool: str, params: Mapping[str, Any]) -> Recording | None:
        """The recording of the same object when its recordings disagree on where it is.

        HolmesGPT's fixtures were recorded over several runs, and an object's namespace sometimes differs between
        them (`kubectl_find_resource` saw the pod in `default`, `kubectl_describe` was recorded in `app-13a`). A
        read of a pod's details (describe, logs, events) is answered, failing an exact match, by the recording
        whose own invocation carried these parameters, or else by the only recording of that pod (same tool, same
        parameters but the namespace). Existence checks (get by name, find, listings) never are: whether an
        object is in a namespace is what they answer, and a question asked in the wrong namespace relies on it."""
        if tool not in _DETAIL_TOOLS or not _names_a_pod(params):
            return None
        same = [r for r in self.recordings if r.tool == tool]
        for recording in same:
            invoked = _without(recording.invoked_params or {}, "*")
            if invoked and match_score(invoked, params) is not None and recording.succeeded:
                return recording
        wanted = _without(params, "namespace")
        moved = [
            r
            for r in same
            if r.match_params is not None
            and r.succeeded
            and "namespace" in r.match_params
            and match_score(_without(r.match_params, "namespace"), wanted) is not None
            and set(_without(r.match_params, "namespace")) == set(wanted)
        ]
        return moved[0] if len({r.text for r in moved}) == 1 else None

    def run(self, tool: str, params: Mapping[str, Any]) -> ToolResult:
        params = dict(params)
        if tool not in self.available_tools():
            return ToolResult(tool, params, "unavailable", error=f"tool {tool} is not available")
        candidates = []
        for order, recording in enumerate(self.recordings):
            if recording.tool != tool:
                continue
            score = match_score(recording.match_params, params)
            if score is not None:
                # Recordings disagreeing on one object: a successful answer is what the cluster really holds.
                candidates.append((-score, not recording.succeeded, order, recording))
        chosen = min(candidates, key=lambda c: c[:3])[3] if candidates else self._recorded_elsewhere(tool, params)
        if chosen is None:
            return ToolResult(tool, params, "error", error=_not_found(params))
        return ToolResult(tool, params, chosen.status, text=chosen.text, error=chosen.error)


_DETAIL_TOOLS = frozenset(
    {
        "kubectl_describe",
        "kubectl_events",
        "kubectl_lineage_children",
        "fetch_pod_logs",
        "kubectl_logs",
        "kubectl_previous_logs",
        "kubectl_logs_all_containers",
        "kubectl_previous_logs_all_containers",
    }
)


def _names_a_pod(params: Mapping[str, Any]) -> bool:
    kind = str(params.get("kind") or params.get("resource_type") or "").lower()
    return bool(params.get("pod_name")) or (kind == "pod" and bool(params.get("name")))


def _without(mapping: Mapping[str, Any], *keys: str) -> dict[str, Any]:
    return {k: v for k, v in mapping.items() if k not in keys and v is not None}


def _not_found(params: Mapping[str, Any]) -> str:
    name = params.get("name") or params.get("pod_name") or params.get("trace_id") or params.get("id")
    kind = params.get("kind") or ("pods" if params.get("pod_name") else "resource")
    if name:
        return f'Error from server (NotFound): {kind} "{name}" not found'
    return "No data found for these parameters"
