"""`fetch_pod_logs` over the Kubernetes API, as HolmesGPT's kubernetes/logs toolset answers it: every container of
the pod (init containers too, as `kubectl logs --all-containers`), the previous instance's logs before the current
one's, stamped (`timestamps=true`) so that the time range can be applied, then filtered, and the latest `limit` lines
printed as the containers wrote them ("container: line" when there are several containers).

Only GETs of the pod and of its log endpoint. `sinceSeconds` narrows what the API sends when a start is given, and
`tailLines` when nothing else would cut lines afterwards.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from aisre.investigations.adapters.kubernetes.kinds import KINDS
from aisre.investigations.adapters.kubernetes.reads import KubernetesReads, ToolOutcome, api_error_text
from aisre.investigations.adapters.kubernetes.render import Obj, get
from aisre.investigations.adapters.tools.log_params import (
    LogLine,
    LogParamError,
    PodLogQuery,
    limit_note,
    no_logs_message,
    parse_pod_log_params,
    render_lines,
    select,
    split_timestamp,
)

# The API's answers that mean "no log here" for one container, not a failure of the call.
_NO_LOG_HERE = ("previous terminated container", "is waiting to start", "containercreating", "podinitializing")


def fetch_pod_logs(reads: KubernetesReads, params: Mapping[str, Any], now: datetime) -> str:
    """The text of a successful answer; raises ToolOutcome for "no_data" and for a bad parameter."""
    try:
        query = parse_pod_log_params(params, now)
    except LogParamError as error:
        raise ToolOutcome("error", error.message) from error
    if query.start is not None and query.start > now:
        raise ToolOutcome("no_data", no_logs_message(query, 0))
    pod = reads.read_object(KINDS["pod"], query.pod_name, query.namespace)
    read: list[LogLine] = []
    failures: list[str] = []
    for container, previous in _sources(pod):
        try:
            text = reads.pod_log(query.pod_name, query.namespace, **_request(container, previous, query, now))
        except Exception as error:
            if getattr(error, "status", None) in (400, 404):
                message = api_error_text(error)
                if not any(marker in message.lower() for marker in _NO_LOG_HERE):
                    failures.append(message)
                continue
            raise
        for line in text.splitlines():
            when, content = split_timestamp(line)
            read.append(LogLine(when, content, container=container, order=len(read)))
    if not read and failures:
        raise ToolOutcome("error", failures[-1])
    shown, matched, total = select(read, query)
    if not shown:
        raise ToolOutcome("no_data", no_logs_message(query, total))
    lines = render_lines(shown, with_time=False, read=read)
    note = limit_note(query, len(shown), matched)
    return "\n".join([*lines, note] if note else lines)


def _sources(pod: Obj) -> list[tuple[str, bool]]:
    """(container, previous) to read, oldest first: each container's previous instance where it had one, then the
    current ones; init containers before the others."""
    specs = [*get(pod, "spec", "initContainers", default=[]), *get(pod, "spec", "containers", default=[])]
    statuses = {
        s.get("name"): s
        for s in [
            *get(pod, "status", "initContainerStatuses", default=[]),
            *get(pod, "status", "containerStatuses", default=[]),
        ]
    }
    names = [str(spec.get("name")) for spec in specs if spec.get("name")]
    restarted = [
        name
        for name in names
        if int(statuses.get(name, {}).get("restartCount") or 0) > 0
        or get(statuses.get(name, {}), "lastState", "terminated") is not None
    ]
    return [*((name, True) for name in restarted), *((name, False) for name in names)]


def _request(container: str, previous: bool, query: PodLogQuery, now: datetime) -> dict[str, Any]:
    request: dict[str, Any] = {"container": container, "previous": previous, "timestamps": True}
    if query.start is not None:
        # The API takes whole seconds back from now; the exact start is applied to the stamped lines afterwards.
        request["since_seconds"] = max(1, math.ceil((now - query.start).total_seconds()) + 1)
    if query.end is None and not query.lines.active:
        # Nothing will drop lines after the last `limit`: the API need not send more.
        request["tail_lines"] = query.limit
    return request
