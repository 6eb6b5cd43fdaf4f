"""The Kubernetes tools themselves: GET and LIST calls through the client, answered as kubectl would print them."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

from aisre.investigations.adapters.kubernetes.describe import describe
from aisre.investigations.adapters.kubernetes.kinds import ALL_KINDS, KINDS, Kind, is_all, is_secret, resolve_kind
from aisre.investigations.adapters.kubernetes.render import (
    Obj,
    get,
    key_values,
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

    def now(self) -> datetime:
        return self._clock()

    def _kind(self, kind: str | None) -> Kind:
        if is_secret(kind):
            raise ToolOutcome(
                "error", "secrets are not readable by the investigation tools: their values never reach a prompt"
            )
        found = resolve_kind(kind)
        if found is None:
            served = ", ".join(sorted(KINDS))
            raise ToolOutcome("error", f'error: the server doesn\'t have a resource type "{kind}" (served: {served})')
        return found

    def _kinds(self, kind: str | None) -> tuple[Kind, ...]:
        """The kinds a listing covers: `all` (or `*`) is kubectl's `get all`, anything else one kind."""
        return ALL_KINDS if is_all(kind) else (self._kind(kind),)

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

    def _listing(
        self, kind: Kind, items: Sequence[Obj], all_namespaces: bool, where: str, prefixed: bool = False
    ) -> str:
        """`kubectl get -o wide --show-labels` (with `-A`: a NAMESPACE column for namespaced kinds); with `prefixed`,
        names read `deployment.apps/checkout` as in `kubectl get all`."""
        if not items:
            raise ToolOutcome("no_data", f"No resources found{where}.")
        now = self._clock()
        namespaced = all_namespaces and kind.namespaced
        header = ("NAMESPACE", "NAME", *kind.columns, "LABELS") if namespaced else ("NAME", *kind.columns, "LABELS")
        rows = []
        for obj in items:
            name = f"{kind.qualified}/{kind.display_name(obj)}" if prefixed else kind.display_name(obj)
            cells = [name, *kind.cells(obj, now), key_values(get(obj, "metadata", "labels"))]
            rows.append([get(obj, "metadata", "namespace"), *cells] if namespaced else cells)
        return table(header, rows)

    def _listings(self, kind: str, namespace: str | None) -> list[str]:
        """One table per kind with something to show; for `all`, a kind the API refuses is said so below."""
        kinds = self._kinds(kind)
        if len(kinds) == 1:
            found = kinds[0]
            where = f" in {namespace} namespace" if namespace and found.namespaced else ""
            return [self._listing(found, self.list_objects(found, namespace), namespace is None, where)]
        tables, refused = [], []
        for found in kinds:
            try:
                items = self.list_objects(found, namespace)
            except Exception as error:
                if getattr(error, "status", None) in (403, 404):
                    refused.append(f"({found.qualified}: {api_error_text(error)})")
                    continue
                raise
            if items:
                tables.append(self._listing(found, items, namespace is None, "", prefixed=True))
        if not tables:
            where = f" in {namespace} namespace" if namespace else ""
            raise ToolOutcome("no_data", "\n".join([f"No resources found{where}.", *refused]))
        return [*tables, *refused]

    # --- tools ------------------------------------------------------------------------------------------------

    def describe(self, kind: str, name: str, namespace: str | None = None) -> str:
        found = self._kind(kind)
        obj = self.read_object(found, name, namespace)
        events = self.events_of(found, name, namespace)
        return describe(found, obj, events, self._clock(), self._related(found, obj))

    def _related(self, kind: Kind, obj: Obj) -> dict[str, Any]:
        """What kubectl describe reads besides the object: a node's pods, the pods of a claim's namespace, a
        stateful set's pods, a service's endpoints. A refusal leaves them out, saying so, and the rest stands."""
        name, namespace = get(obj, "metadata", "name"), get(obj, "metadata", "namespace")
        try:
            if kind.name == "Node":
                selector = f"spec.nodeName={name},status.phase!=Succeeded,status.phase!=Failed"
                return {"pods": self.list_objects(KINDS["pod"], None, field_selector=selector)}
            if kind.name == "PersistentVolumeClaim":
                return {"pods": self.list_objects(KINDS["pod"], namespace)}
            if kind.name == "StatefulSet":
                labels = ",".join(
                    f"{k}={v}" for k, v in get(obj, "spec", "selector", "matchLabels", default={}).items()
                )
                uid = get(obj, "metadata", "uid")
                pods = self.list_objects(KINDS["pod"], namespace, label_selector=labels)
                owned = [
                    p
                    for p in pods
                    if any(o.get("uid") == uid for o in get(p, "metadata", "ownerReferences", default=[]))
                ]
                return {"pods": owned}
            if kind.name == "Service":
                return {"endpoints": self.read_object(KINDS["endpoints"], str(name), namespace)}
        except Exception as error:
            if kind.name == "Service" and getattr(error, "status", None) == 404:
                return {"endpoints": {}}
            return {"error": api_error_text(error) if getattr(error, "status", None) else str(error)}
        return {}

    def get_by_name(self, kind: str, name: str, namespace: str | None = None) -> str:
        found = self._kind(kind)
        return self._listing(found, [self.read_object(found, name, namespace)], False, "")

    def get_in_namespace(self, kind: str, namespace: str) -> str:
        return "\n\n".join(self._listings(kind, namespace))

    def get_in_cluster(self, kind: str) -> str:
        return "\n\n".join(self._listings(kind, None))

    def find(self, kind: str, keyword: str) -> str:
        """`kubectl get -A --show-labels -o wide <kind> | grep <keyword>`: the rows of every namespace whose line holds
        the keyword (in any case), under their table's header, kept for reading; for `all` (or `*`), each row's name
        says its kind (`deployment.apps/checkout`)."""
        needle = keyword.strip().lower()
        if not needle:
            raise ToolOutcome("error", "missing parameter 'keyword' for kubectl_find_resource")
        nothing = f'No {kind} matching "{keyword}" found.'
        try:
            parts = self._listings(kind, None)
        except ToolOutcome as outcome:
            if outcome.status == "no_data":
                raise ToolOutcome("no_data", nothing) from outcome
            raise
        tables, notes = [], []
        for part in parts:
            if part.startswith("("):  # a kind the API refused, for `all`
                notes.append(part)
                continue
            header, *rows = part.splitlines()
            hits = [row for row in rows if needle in row.lower()]
            if hits:
                tables.append("\n".join([header, *hits]))
        if not tables:
            raise ToolOutcome("no_data", "\n".join([nothing, *notes]))
        return "\n\n".join([*tables, *notes])

    def events(self, resource_type: str | None, name: str | None, namespace: str | None) -> str:
        kind = resolve_kind(resource_type) if resource_type else None
        found = self.events_of(kind, name, namespace)
        if not found:
            raise ToolOutcome("no_data", f"No events found in {namespace or DEFAULT_NAMESPACE} namespace.")
        return self._event_lines(found)

    def _event_lines(self, events: Sequence[Obj]) -> str:
        from aisre.investigations.adapters.kubernetes.render import events_table

        return events_table(events, self._clock())

    def pod_log(self, pod: str, namespace: str, **options: Any) -> str:
        """The log endpoint as it answers (container, previous, timestamps, since_seconds, tail_lines)."""
        return str(self._call("CoreV1Api", "read_namespaced_pod_log", pod, namespace, **options))

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
