"""What an investigation gathered: the issue under investigation and every tool result, as plain data."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

# Tools whose output is what a workload printed, as opposed to what the cluster says about it.
LOG_TOOLS = frozenset(
    {
        "fetch_pod_logs",
        "kubectl_logs",
        "kubectl_previous_logs",
        "kubectl_logs_all_containers",
        "kubectl_previous_logs_all_containers",
        "kubectl_logs_recent_n_lines",
        "kubectl_container_logs",
        "kubectl_container_previous_logs",
    }
)
# Listings of a whole namespace or cluster: they show other workloads' troubles too, so rules about the
# subject must not read them as the subject's evidence.
BROAD_TOOLS = frozenset(
    {
        "kubectl_get_by_kind_in_namespace",
        "kubectl_get_by_kind_in_cluster",
        "kubectl_find_resource",
        "kubectl_top_pods",
        "kubectl_top_nodes",
        "kubectl_memory_requests_all_namespaces",
        "kubectl_memory_requests_namespace",
        "fetch_webpage",
    }
)

# Not a tool: the gatherer's own account of a bound it reached (tool calls, time) and of the reads it left undone.
# A result, so it travels wherever tool results travel (the state machine's state too); its words are in
# `error`, which no rule reads as what the cluster or a workload said.
GATHERING_NOTE = "gathering_note"
# Objects read beside the subject's own (the nodes a pending pod could use, storage classes, a ConfigMap's data):
# their events and text are about other workloads or are configuration, so they are not the subject's evidence
# unless the subject is one of them.
# What a result read aside from the subject is about: a dependency its logs name, the cluster's DNS.
ASIDE_DEPENDENCY = "dependency"
ASIDE_CLUSTER_DNS = "cluster-dns"
CONTEXT_KINDS = frozenset({"node", "persistentvolume", "storageclass", "configmap", "secret"})


@dataclass(frozen=True)
class Subject:
    """The object an alert is about; any field may be unknown."""

    kind: str | None = None
    name: str | None = None
    namespace: str | None = None
    node: str | None = None
    container: str | None = None


@dataclass(frozen=True)
class Issue:
    """The alert or issue being investigated, as the monitoring pipeline described it."""

    title: str
    description: str = ""
    source: str | None = None
    subject: Subject = field(default_factory=Subject)
    labels: Mapping[str, str] = field(default_factory=dict)
    annotations: Mapping[str, str] = field(default_factory=dict)
    starts_at: str | None = None
    issue_id: str | None = None
    runbook_urls: tuple[str, ...] = ()
    # The titles of the alerts grouped under this one (an incident group's children): evidence too.
    grouped_alerts: tuple[str, ...] = ()

    @property
    def alertname(self) -> str:
        return str(self.labels.get("alertname") or self.title)

    @property
    def summary_text(self) -> str:
        """Every free-text field of the alert, for rules that key on what the alert says."""
        parts = [self.title, self.description, *self.annotations.values(), *self.labels.values(), *self.grouped_alerts]
        return "\n".join(p for p in parts if p)


@dataclass(frozen=True)
class ToolResult:
    """One tool call: which tool, with what parameters, and what it answered (never an exception)."""

    tool: str
    params: Mapping[str, Any]
    status: str  # "success", "error", "no_data" or "unavailable"
    text: str = ""
    error: str | None = None
    # Why it was read when it is not about the subject: "" for the subject and its own objects, else what it is
    # (ASIDE_DEPENDENCY, ASIDE_CLUSTER_DNS). Rules about the subject leave such results out.
    aside: str = ""

    @property
    def label(self) -> str:
        shown = ", ".join(f"{k}={v}" for k, v in self.params.items() if v not in (None, ""))
        return f"{self.tool}({shown})"

    @property
    def body(self) -> str:
        """The output and the error text together: a failed kubectl call explains itself in its error."""
        return "\n".join(part for part in (self.text, self.error or "") if part)


@dataclass(frozen=True)
class Evidence:
    """Everything a deterministic analysis may look at."""

    issue: Issue
    results: tuple[ToolResult, ...] = ()
    available_tools: frozenset[str] = frozenset()

    def of(self, *tools: str) -> Iterator[ToolResult]:
        """Results of the named tools (all results when none are named)."""
        for result in self.results:
            if not tools or result.tool in tools:
                yield result

    def focused(self) -> Iterator[ToolResult]:
        """Results about the subject and its own objects, without namespace- or cluster-wide listings and without
        the objects read for context (CONTEXT_KINDS) unless the subject is one."""
        own = (self.issue.subject.kind or "").lower()
        return (
            r
            for r in self.results
            if r.tool not in BROAD_TOOLS
            and r.tool != GATHERING_NOTE
            and not r.aside
            and (_object_kind(r) not in CONTEXT_KINDS or _object_kind(r) == own)
        )

    @property
    def notes(self) -> tuple[str, ...]:
        """What the gatherer said of its own reading: a bound reached and what was left unread."""
        return tuple(r.error or "" for r in self.results if r.tool == GATHERING_NOTE)

    def logs(self) -> Iterator[ToolResult]:
        """What the subject's workload printed (not the logs of a dependency read aside)."""
        return (r for r in self.results if r.tool in LOG_TOOLS and not r.aside)

    def aside(self, what: str) -> Iterator[ToolResult]:
        """Results read aside from the subject, about `what` (ASIDE_DEPENDENCY, ASIDE_CLUSTER_DNS)."""
        return (r for r in self.results if r.aside == what)

    def describes(self, kind: str | None = None) -> Iterator[ToolResult]:
        for result in self.of("kubectl_describe"):
            if kind is None or str(result.params.get("kind", "")).lower() == kind:
                yield result


def _object_kind(result: ToolResult) -> str:
    """The kind of object a describe or events read is about ("" for other tools)."""
    return str(result.params.get("kind") or result.params.get("resource_type") or "").lower()
