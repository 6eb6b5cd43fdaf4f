"""A slow dependency seen in the logs: calls that connect but time out waiting for the answer (read timeouts,
deadlines exceeded, gateway timeouts), and which dependency they wait on."""

from __future__ import annotations

import re
from collections import Counter

from aisre.investigations.model.analysis.finding import Finding
from aisre.investigations.model.analysis.rules.runtime import cause_finding, runtime
from aisre.investigations.model.analysis.text import find
from aisre.investigations.model.evidence import LOG_TOOLS, Evidence
from aisre.investigations.model.kubectl.dependencies import DNS_FAILURE

# Waiting for an answer that does not come in time, in the words of the common clients (Go's net/http and gRPC,
# Python requests/httpx, Java, Node's axios, Envoy and nginx gateways).
_TIMEOUT = re.compile(
    r"Read timed out|ReadTimeout(?:Error)?\b|read timeout|SocketTimeoutException|context deadline exceeded"
    r"|DEADLINE_EXCEEDED|DeadlineExceeded|upstream request timeout|504 Gateway Time-?out|Gateway Timeout"
    r"|timeout of \d+ ?ms exceeded|request timed out|timed out after \d+|awaiting headers|ESOCKETTIMEDOUT"
    r"|upstream timed out|Query timeout|statement timeout|canceling statement due to statement timeout",
    re.IGNORECASE,
)
# Failing to connect at all is the connection rule's (a dependency down, not slow).
_CONNECTING = re.compile(r"connect(?:ion)? (?:timed out|timeout)|ConnectTimeout|connect ETIMEDOUT|dial tcp", re.I)
_URL = re.compile(r"https?://([\w.-]+(?::\d+)?)")
_HOST_PORT = re.compile(r"\b((?:[a-z][\w-]*\.)*[a-z][\w-]*:\d{2,5})\b", re.IGNORECASE)
_GRPC_METHOD = re.compile(r"(/[\w.]+\.[\w]+/\w+)")
_DATABASE = re.compile(r"statement timeout|Query timeout|canceling statement", re.IGNORECASE)


def call_target(line: str) -> str | None:
    """The dependency a log line names: a URL's host, a host:port, a gRPC method."""
    for pattern in (_URL, _HOST_PORT, _GRPC_METHOD):
        match = pattern.search(line)
        if match:
            return match.group(1)
    return None


def dependency_timeouts(evidence: Evidence) -> Finding | None:
    logs = [r for r in runtime(evidence) if r.tool in LOG_TOOLS]
    hits = [h for h in find(logs, _TIMEOUT) if not _CONNECTING.search(h.line) and not DNS_FAILURE.search(h.line)]
    if not hits:
        return None
    targets = Counter(t for h in hits if (t := call_target(h.line)))
    if targets:
        target = targets.most_common(1)[0][0]
        hits.sort(key=lambda h: call_target(h.line) != target)
        what = f"`{target}`"
    elif any(_DATABASE.search(h.line) for h in hits):
        what = "the database (queries hit their statement timeout)"
    else:
        what = "a dependency"
    cause = (
        f"Calls to {what} time out waiting for the answer ({len(hits)} log line(s)): the dependency is slow or "
        "overloaded, so requests wait on it and fail."
    )
    tips = (
        f"Look at {what}'s own latency, saturation and errors (its metrics, traces and logs)",
        "Set deadlines and retries with backoff on the calls, and a circuit breaker so callers fail fast",
    )
    return cause_finding(evidence, "dependency_timeouts", cause, hits, 0.8, *tips)
