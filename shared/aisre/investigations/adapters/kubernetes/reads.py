"""The Kubernetes tools themselves: GET and LIST calls through the client, answered as kubectl would print them."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

from aisre.investigations.adapters.kubernetes.describe import describe
from aisre.investigations.adapters.kubernetes.kinds import KINDS, Kind, resolve_kind
from aisre.investigations.adapters.kubernetes.render import (
    Obj,
    get,
    mebibytes,
    millicores,
    pod_ready,
    pod_status,
    quantity,
    table,
)


class ToolOutcome(Exception):
    """A tool's answer other than plain success ("no_data", "error", "unavailable"), raised to leave early."""

    def __init__(self, status: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


# Children worth walking from each owner kind (what its controller creates).
_CHILD_KINDS = {
    "Deployment": ("ReplicaSet",),
    "ReplicaSet": ("Pod",),
    "StatefulSet": ("Pod",),
    "DaemonSet": ("Pod",),
    "Job": ("Pod",),
    "CronJob": ("Job",),
}
DEFAULT_NAMESPACE = "default"


class KubernetesReads:
    """Read-only calls on one ApiClient. Every client call goes through `_call`, which only ever reads."""

    def __init__(self, api_client: Any, clock: Callable[[], datetime], log_lines: int, timeout: tuple[float, float]):
        self._api_client = api_client
        self._clock = clock
        self._log_lines = log_lines
        self._timeout = timeout

    # --- plumbing ---------------------------------------------------------------------------------------------

    def _call(self, api: str, method: str, *args: Any, **kwargs: Any) -> Any:
        # Only read_*/list_* methods are ever named here; the assertion keeps a future edit from slipping a write in.
        assert method.startswith(("read_", "list_", "get_")), method
        from kubernetes import client

        # Raw JSON rather than the client's models: the renderers then read any kind the same way.
        response = getattr(getattr(client, api)(self._api_client), method)(
            *args, _preload_content=False, _request_timeout=self._timeout, **kwargs
        )
        data = response.data
        return data.decode("utf-8", errors="replace") if method.endswith("_log") else json.loads(data)

    def _kind(self, kind: str | None) -> Kind:
        found = resolve_kind(kind)
        if found is None:
            served = ", ".join(sorted(KINDS))
            raise ToolOutcome("error", f'error: the server doesn\'t have a resource type "{kind}" (served: {served})')
        return found

    def read_object(self, kind: Kind, name: str, namespace: str | None) -> Obj:
        if kind.namespaced:
            return dict(self._call(kind.api, f"read_namespaced_{kind.stem}", name, namespace or DEFAULT_NAMESPACE))
        return dict(self._call(kind.api, f"read_{kind.stem}", name))

    def list_objects(self, kind: Kind, namespace: str | None, **selectors: str) -> list[Obj]:
        if not kind.namespaced:
            found = self._call(kind.api, f"list_{kind.stem}", **selectors)
        elif namespace:
            found = self._call(kind.api, f"list_namespaced_{kind.stem}", namespace, **selectors)
        else:
            found = self._call(kind.api, f"list_{kind.stem}_for_all_namespaces", **selectors)
        return list(found.get("items") or [])

    def events_of(self, kind: Kind | None, name: str | None, namespace: str | None) -> list[Obj]:
        """Events about one object (by involvedObject), or every event of a namespace when no name is given."""
        selector = {}
        if name:
            selector["involvedObject.name"] = name
            if kind is not None:
                selector["involvedObject.kind"] = kind.name
        field_selector = ",".join(f"{k}={v}" for k, v in selector.items())
        kwargs = {"field_selector": field_selector} if field_selector else {}
        if kind is not None and not kind.namespaced:
            return list(self._call("CoreV1Api", "list_event_for_all_namespaces", **kwargs).get("items") or [])
        ns = namespace or DEFAULT_NAMESPACE
        return list(self._call("CoreV1Api", "list_namespaced_event", ns, **kwargs).get("items") or [])

    def _listing(self, kind: Kind, items: Sequence[Obj], all_namespaces: bool, where: str) -> str:
        if not items:
            raise ToolOutcome("no_data", f"No resources found{where}.")
        now = self._clock()
        header = ("NAMESPACE", "NAME", *kind.columns) if all_namespaces else ("NAME", *kind.columns)
        rows = []
        for obj in items:
            cells = [get(obj, "metadata", "name"), *kind.cells(obj, now)]
            rows.append([get(obj, "metadata", "namespace"), *cells] if all_namespaces else cells)
        return table(header, rows)

    # --- tools ------------------------------------------------------------------------------------------------

    def describe(self, kind: str, name: str, namespace: str | None = None) -> str:
        found = self._kind(kind)
        obj = self.read_object(found, name, namespace)
        events = self.events_of(found, name, namespace)
        return describe(found, obj, events, self._clock())

    def get_by_name(self, kind: str, name: str, namespace: str | None = None) -> str:
        found = self._kind(kind)
        return self._listing(found, [self.read_object(found, name, namespace)], False, "")

    def get_in_namespace(self, kind: str, namespace: str) -> str:
        found = self._kind(kind)
        return self._listing(found, self.list_objects(found, namespace), False, f" in {namespace} namespace")

    def get_in_cluster(self, kind: str) -> str:
        found = self._kind(kind)
        return self._listing(found, self.list_objects(found, None), found.namespaced, "")

    def find(self, kind: str, keyword: str) -> str:
        """`kubectl get -A -o wide | grep keyword`, keeping the header."""
        lines = self.get_in_cluster(kind).splitlines()
        hits = [line for line in lines[1:] if keyword.lower() in line.lower()]
        if not hits:
            raise ToolOutcome("no_data", f'No {kind} matching "{keyword}" found.')
        return "\n".join([lines[0], *hits])

    def events(self, resource_type: str | None, name: str | None, namespace: str | None) -> str:
        kind = resolve_kind(resource_type) if resource_type else None
        found = self.events_of(kind, name, namespace)
        if not found:
            raise ToolOutcome("no_data", f"No events found in {namespace or DEFAULT_NAMESPACE} namespace.")
        return self._event_lines(found)

    def _event_lines(self, events: Sequence[Obj]) -> str:
        from aisre.investigations.adapters.kubernetes.render import events_table

        return events_table(events, self._clock())

    def logs(self, pod: str, namespace: str, container: str | None, previous: bool) -> str:
        if not container:
            # As kubectl does: the annotated default container, else the first; the API refuses to guess.
            spec = self.read_object(KINDS["pod"], pod, namespace)
            default = get(spec, "metadata", "annotations", "kubectl.kubernetes.io/default-container")
            container = default or get(spec, "spec", "containers", default=[{}])[0].get("name")
        return self._log(pod, namespace, container, previous)

    def _log(self, pod: str, namespace: str, container: str | None, previous: bool) -> str:
        text = self._call(
            "CoreV1Api",
            "read_namespaced_pod_log",
            pod,
            namespace,
            container=container,
            previous=previous,
            tail_lines=self._log_lines,
            timestamps=False,
        )
        if not text.strip():
            which = "previous " if previous else ""
            raise ToolOutcome("no_data", f"No {which}logs for container {container} of pod {pod}.")
        if text.count("\n") >= self._log_lines:
            return f"[the last {self._log_lines} lines]\n{text}"
        return str(text)

    def logs_all_containers(self, pod: str, namespace: str, previous: bool) -> str:
        """Each container's log under its own header; a container without one says so instead of failing all."""
        spec = self.read_object(KINDS["pod"], pod, namespace)
        names = [c.get("name") for c in [*get(spec, "spec", "initContainers", default=[]), *spec["spec"]["containers"]]]
        parts = []
        for name in names:
            try:
                body = self._log(pod, namespace, name, previous)
            except ToolOutcome as outcome:
                body = outcome.message
            except Exception as error:  # the API's refusal for one container, e.g. no previous instance
                body = api_error_text(error)
            parts.append(f"==> {pod}/{name}{' (previous)' if previous else ''} <==\n{body.rstrip()}")
        return "\n\n".join(parts)

    def top_pods(self, namespace: str | None) -> str:
        path = ("metrics.k8s.io", "v1beta1", namespace, "pods") if namespace else ("metrics.k8s.io", "v1beta1", "pods")
        method = "list_namespaced_custom_object" if namespace else "list_cluster_custom_object"
        items = self._metrics(method, *path)
        rows = []
        for item in items:
            containers = item.get("containers") or []
            cpu = sum(quantity(get(c, "usage", "cpu")) for c in containers)
            memory = sum(quantity(get(c, "usage", "memory")) for c in containers)
            rows.append((get(item, "metadata", "namespace"), get(item, "metadata", "name"), cpu, memory))
        rows.sort(key=lambda r: r[3], reverse=True)  # the heaviest first: what a memory alert wants to see
        shown = [(ns, name, millicores(str(cpu)), mebibytes(str(mem))) for ns, name, cpu, mem in rows]
        return table(("NAMESPACE", "NAME", "CPU(cores)", "MEMORY(bytes)"), shown)

    def top_nodes(self) -> str:
        items = self._metrics("list_cluster_custom_object", "metrics.k8s.io", "v1beta1", "nodes")
        allocatable = {
            get(n, "metadata", "name"): get(n, "status", "allocatable", default={})
            for n in self.list_objects(KINDS["node"], None)
        }
        rows = []
        for item in items:
            name = get(item, "metadata", "name")
            cpu, memory = quantity(get(item, "usage", "cpu")), quantity(get(item, "usage", "memory"))
            limits = allocatable.get(name, {})
            cpu_pct = _percent(cpu, quantity(limits.get("cpu")))
            mem_pct = _percent(memory, quantity(limits.get("memory")))
            rows.append((name, millicores(str(cpu)), cpu_pct, mebibytes(str(memory)), mem_pct))
        return table(("NAME", "CPU(cores)", "CPU%", "MEMORY(bytes)", "MEMORY%"), rows)

    def _metrics(self, method: str, *path: str) -> list[Obj]:
        try:
            found = self._call("CustomObjectsApi", method, *path)
        except Exception as error:
            if getattr(error, "status", None) == 404:
                raise ToolOutcome(
                    "unavailable", "metrics-server not installed: the cluster does not serve the metrics.k8s.io API"
                ) from error
            raise
        items = list(found.get("items") or [])
        if not items:
            raise ToolOutcome("no_data", "metrics not available yet")
        return items

    def memory_requests(self, namespace: str | None) -> str:
        rows = []
        for pod in self.list_objects(KINDS["pod"], namespace):
            for c in get(pod, "spec", "containers", default=[]):
                resources = c.get("resources") or {}
                request, limit = get(resources, "requests", "memory"), get(resources, "limits", "memory")
                rows.append(
                    (get(pod, "metadata", "namespace"), get(pod, "metadata", "name"), c.get("name"), request, limit)
                )
        if not rows:
            raise ToolOutcome("no_data", "No pods found.")
        return table(("NAMESPACE", "POD", "CONTAINER", "MEMORY REQUEST", "MEMORY LIMIT"), rows)

    def lineage_children(self, kind: str, name: str, namespace: str | None) -> str:
        """The objects the resource owns (two levels: a Deployment's ReplicaSets and their Pods); for a Pod, the
        Services selecting it."""
        root_kind = self._kind(kind)
        root = self.read_object(root_kind, name, namespace)
        ns = get(root, "metadata", "namespace") or namespace
        lines = [f"{root_kind.name}/{name}"]
        if root_kind.name == "Pod":
            labels = get(root, "metadata", "labels", default={})
            for service in self.list_objects(KINDS["service"], ns):
                selector = get(service, "spec", "selector", default={})
                if selector and all(labels.get(k) == v for k, v in selector.items()):
                    lines.append(f"└── Service/{get(service, 'metadata', 'name')} (selects this pod)")
            return "\n".join(lines) if len(lines) > 1 else f"{lines[0]}\n(no children: nothing owned or selecting it)"
        cache: dict[str, list[Obj]] = {}
        self._children(root_kind.name, get(root, "metadata", "uid"), ns, 1, lines, cache)
        return "\n".join(lines) if len(lines) > 1 else f"{lines[0]}\n(no children)"

    def _children(
        self, kind: str, uid: str, ns: str | None, depth: int, lines: list[str], cache: dict[str, list[Obj]]
    ) -> None:
        for child_kind in _CHILD_KINDS.get(kind, ()):
            if child_kind not in cache:
                cache[child_kind] = self.list_objects(KINDS[child_kind.lower()], ns)
            for child in cache[child_kind]:
                if any(o.get("uid") == uid for o in get(child, "metadata", "ownerReferences", default=[])):
                    status = f"   {pod_ready(child)} {pod_status(child)}" if child_kind == "Pod" else ""
                    lines.append(f"{'    ' * (depth - 1)}└── {child_kind}/{get(child, 'metadata', 'name')}{status}")
                    if depth < 2:
                        self._children(child_kind, get(child, "metadata", "uid"), ns, depth + 1, lines, cache)


def _percent(used: Any, total: Any) -> str:
    return f"{int(used * 100 / total)}%" if total else "<unknown>"


def api_error_text(error: BaseException) -> str:
    """kubectl's wording for an API refusal: `Error from server (NotFound): pods "x" not found`."""
    status = getattr(error, "status", None)
    body = getattr(error, "body", None)
    message, reason = str(getattr(error, "reason", "") or error), None
    if body:
        try:
            parsed: Mapping[str, Any] = json.loads(body)
            message, reason = str(parsed.get("message") or message), parsed.get("reason")
        except (ValueError, TypeError, AttributeError):
            message = str(body)[:500]
    return f"Error from server ({reason or status}): {message}"
