"""A stand-in Kubernetes API server on loopback for the actions' tests: the real paths and JSON shapes of pods,
deployments (and their scale subresource), replicasets and events; DELETE, merge and JSON patches as the API
server applies them; the controllers' part (a deleted pod's replacement, a scaled or rolled-back deployment's
rollout, ReplicaSet revisions) after a short delay; RBAC from infra/kubernetes/rbac.yaml for the bearer tokens
of the two identities; and a record of every request, writes with their content type and body.
"""

from __future__ import annotations

import copy
import json
import re
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import yaml

from tests.support.servers import free_port

ROOT = Path(__file__).resolve().parents[2]
RBAC = ROOT / "infra" / "kubernetes" / "rbac.yaml"
ACTIONS_TOKEN = "actions-identity-token"
READER_TOKEN = "reader-identity-token"
# Token -> (user, group), as an EKS access entry or a service account would name them.
IDENTITIES = {ACTIONS_TOKEN: ("aisre-actions", "aisre-actions"), READER_TOKEN: ("aisre-reader", "aisre-readers")}
REVISION = "deployment.kubernetes.io/revision"

_PATH = re.compile(
    r"^/(?P<prefix>api/v1|apis/apps/v1|apis/events\.k8s\.io/v1)/namespaces/(?P<ns>[^/]+)/(?P<plural>[a-z]+)"
    r"(?:/(?P<name>[^/]+))?(?:/(?P<sub>scale))?$"
)
_GROUP = {"api/v1": "", "apis/apps/v1": "apps", "apis/events.k8s.io/v1": "events.k8s.io"}


def now_iso() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def status_body(code: int, reason: str, message: str, details: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": message,
        "reason": reason,
        "details": details or {},
        "code": code,
    }


def matches_selector(labels: dict[str, str], selector: str) -> bool:
    """The labelSelector query parameter: k=v, k==v, k!=v, k in (a,b), k notin (a,b), k, !k."""
    if not selector:
        return True
    for term in re.findall(r"[^,(]+(?:\([^)]*\))?", selector):
        term = term.strip()
        if not term:
            continue
        found = re.match(r"^(\S+)\s+(in|notin)\s+\((.*)\)$", term)
        if found:
            key, operator, values = found[1], found[2], {v.strip() for v in found[3].split(",")}
            if (labels.get(key) in values) != (operator == "in"):
                return False
        elif "!=" in term:
            key, value = term.split("!=", 1)
            if labels.get(key) == value:
                return False
        elif "=" in term:
            key, value = term.replace("==", "=").split("=", 1)
            if labels.get(key) != value:
                return False
        elif term.startswith("!"):
            if term[1:] in labels:
                return False
        elif term not in labels:
            return False
    return True


def apply_json_patch(document: dict[str, Any], operations: list[dict[str, Any]]) -> dict[str, Any]:
    """RFC 6902, the operations kubectl sends (replace, add, remove) on object paths."""
    result = copy.deepcopy(document)
    for operation in operations:
        parts = [p.replace("~1", "/").replace("~0", "~") for p in operation["path"].lstrip("/").split("/")]
        parent = result
        for part in parts[:-1]:
            parent = parent.setdefault(part, {})
        if operation["op"] in ("replace", "add"):
            if operation["op"] == "replace" and parts[-1] not in parent:
                raise ValueError(f"replace operation does not apply: doc is missing path: {operation['path']}")
            parent[parts[-1]] = copy.deepcopy(operation["value"])
        elif operation["op"] == "remove":
            parent.pop(parts[-1], None)
        else:
            raise ValueError(f"unsupported op {operation['op']}")
    return result


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7386."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    result = copy.deepcopy(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


def _ready_status(ready: bool) -> dict[str, Any]:
    return {
        "phase": "Running" if ready else "Pending",
        "conditions": [{"type": "Ready", "status": "True" if ready else "False"}],
        "containerStatuses": [
            {
                "name": "app",
                "ready": ready,
                "restartCount": 0,
                "state": {"running": {"startedAt": now_iso()}}
                if ready
                else {"waiting": {"reason": "ContainerCreating"}},
            }
        ],
    }


@dataclass
class Write:
    method: str
    path: str
    content_type: str
    body: Any
    user: str
    at: float = field(default_factory=time.perf_counter)  # when the server received it


@dataclass
class KubeState:
    """The cluster: objects by (plural, namespace, name); what the controllers will do, and when."""

    objects: dict[tuple[str, str, str], dict[str, Any]] = field(default_factory=dict)
    requests: list[tuple[str, str, str]] = field(default_factory=list)  # (method, path with query, user)
    writes: list[Write] = field(default_factory=list)
    pending: list[tuple[float, Any]] = field(default_factory=list)
    # How long the controllers take: a replacement pod's readiness, a deployment's rollout. None: never.
    ready_after: float | None = 0.2
    lock: threading.RLock = field(default_factory=threading.RLock)

    # -- objects -----------------------------------------------------------------------------------------

    def put(self, plural: str, obj: dict[str, Any]) -> dict[str, Any]:
        meta = obj.setdefault("metadata", {})
        meta.setdefault("uid", secrets.token_hex(8))
        meta.setdefault("creationTimestamp", now_iso())
        meta.setdefault("resourceVersion", str(len(self.objects) + 1))
        meta.setdefault("generation", 1)
        self.objects[(plural, meta["namespace"], meta["name"])] = obj
        return obj

    def get(self, plural: str, namespace: str, name: str) -> dict[str, Any] | None:
        return self.objects.get((plural, namespace, name))

    def items(self, plural: str, namespace: str) -> list[dict[str, Any]]:
        return [o for (p, ns, _), o in sorted(self.objects.items()) if p == plural and ns == namespace]

    def event(self, namespace: str, kind: str, name: str, reason: str, message: str) -> None:
        event_name = f"{name}.{secrets.token_hex(6)}"
        self.put(
            "events",
            {
                "apiVersion": "v1",
                "kind": "Event",
                "metadata": {"name": event_name, "namespace": namespace},
                "involvedObject": {"kind": kind, "name": name, "namespace": namespace},
                "reason": reason,
                "message": message,
                "type": "Normal",
                "count": 1,
                "firstTimestamp": now_iso(),
                "lastTimestamp": now_iso(),
            },
        )

    # -- a workload to act on -----------------------------------------------------------------------------

    def add_deployment(
        self, namespace: str, name: str, replicas: int = 2, images: tuple[str, ...] = ("app:1.0", "app:1.1")
    ) -> dict[str, Any]:
        """A deployment with one ReplicaSet per image (revisions 1..n, the last current) and its pods, Ready."""
        deployment = self.put(
            "deployments",
            {
                "apiVersion": "apps/v1",
                "kind": "Deployment",
                "metadata": {"name": name, "namespace": namespace, "annotations": {REVISION: str(len(images))}},
                "spec": {
                    "replicas": replicas,
                    "selector": {"matchLabels": {"app": name}},
                    "template": self._template(name, images[-1]),
                    "strategy": {"type": "RollingUpdate"},
                },
                "status": {},
            },
        )
        for revision, image in enumerate(images, start=1):
            self._replicaset(deployment, image, revision, replicas if revision == len(images) else 0)
        self._settle(deployment)
        return deployment

    def add_pod(self, namespace: str, name: str, owner: dict[str, Any] | None = None) -> dict[str, Any]:
        meta: dict[str, Any] = {"name": name, "namespace": namespace, "labels": {"app": name}}
        if owner is not None:
            meta["labels"] = dict(owner["spec"]["template"]["metadata"]["labels"])
            meta["ownerReferences"] = [
                {"apiVersion": "apps/v1", "kind": owner["kind"], "name": owner["metadata"]["name"],
                 "uid": owner["metadata"]["uid"], "controller": True, "blockOwnerDeletion": True}
            ]  # fmt: skip
        return self.put(
            "pods",
            {"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": {}, "status": _ready_status(True)},
        )

    @staticmethod
    def _template(app: str, image: str) -> dict[str, Any]:
        return {
            "metadata": {"labels": {"app": app}},
            "spec": {"containers": [{"name": "app", "image": image}]},
        }

    def _replicaset(self, deployment: dict[str, Any], image: str, revision: int, replicas: int) -> dict[str, Any]:
        app = deployment["metadata"]["name"]
        template_hash = secrets.token_hex(5)
        template = self._template(app, image)
        template["metadata"]["labels"]["pod-template-hash"] = template_hash
        return self.put(
            "replicasets",
            {
                "apiVersion": "apps/v1",
                "kind": "ReplicaSet",
                "metadata": {
                    "name": f"{app}-{template_hash}",
                    "namespace": deployment["metadata"]["namespace"],
                    "labels": dict(template["metadata"]["labels"]),
                    "annotations": {REVISION: str(revision), "deployment.kubernetes.io/desired-replicas": "2"},
                    "ownerReferences": [
                        {
                            "apiVersion": "apps/v1",
                            "kind": "Deployment",
                            "name": app,
                            "uid": deployment["metadata"]["uid"],
                            "controller": True,
                            "blockOwnerDeletion": True,
                        }
                    ],
                },
                "spec": {
                    "replicas": replicas,
                    "selector": {"matchLabels": dict(template["metadata"]["labels"])},
                    "template": template,
                },
                "status": {"replicas": replicas, "readyReplicas": replicas, "availableReplicas": replicas},
            },
        )

    def current_replicaset(self, deployment: dict[str, Any]) -> dict[str, Any]:
        wanted = _without_hash(deployment["spec"]["template"])
        for rs in self.items("replicasets", deployment["metadata"]["namespace"]):
            if _owned(rs, deployment) and _without_hash(rs["spec"]["template"]) == wanted:
                return rs
        return self._replicaset(
            deployment,
            deployment["spec"]["template"]["spec"]["containers"][0]["image"],
            self._max_revision(deployment) + 1,
            0,
        )

    def _max_revision(self, deployment: dict[str, Any]) -> int:
        owned = [rs for rs in self.items("replicasets", deployment["metadata"]["namespace"]) if _owned(rs, deployment)]
        return max((int(rs["metadata"]["annotations"][REVISION]) for rs in owned), default=0)

    def _settle(self, deployment: dict[str, Any]) -> None:
        """The deployment controller and kubelet, done: the current ReplicaSet holds every replica, Ready."""
        namespace = deployment["metadata"]["namespace"]
        current = self.current_replicaset(deployment)
        replicas = deployment["spec"].get("replicas", 1)
        for rs in self.items("replicasets", namespace):
            if _owned(rs, deployment):
                count = replicas if rs is current else 0
                rs["spec"]["replicas"] = count
                rs["status"] = {"replicas": count, "readyReplicas": count, "availableReplicas": count}
        pods = [p for p in self.items("pods", namespace) if _owned(p, current)]
        for pod in pods[replicas:]:
            del self.objects[("pods", namespace, pod["metadata"]["name"])]
        for pod in self.items("pods", namespace):
            if any(
                _owned(pod, rs)
                for rs in self.items("replicasets", namespace)
                if rs is not current and _owned(rs, deployment)
            ):
                del self.objects[("pods", namespace, pod["metadata"]["name"])]  # fmt: skip
        for _ in range(replicas - len(pods)):
            self._new_pod(current, ready=True)
        deployment["metadata"]["annotations"][REVISION] = current["metadata"]["annotations"][REVISION]
        deployment["status"] = {
            "observedGeneration": deployment["metadata"]["generation"],
            "replicas": replicas,
            "updatedReplicas": replicas,
            "readyReplicas": replicas,
            "availableReplicas": replicas,
            "conditions": [{"type": "Available", "status": "True"}, {"type": "Progressing", "status": "True",
                                                                     "reason": "NewReplicaSetAvailable"}],
        }  # fmt: skip

    def _new_pod(self, rs: dict[str, Any], *, ready: bool, name: str | None = None) -> dict[str, Any]:
        pod = self.add_pod(
            rs["metadata"]["namespace"], name or f"{rs['metadata']['name']}-{secrets.token_hex(3)[:5]}", rs
        )
        pod["status"] = _ready_status(ready)
        return pod

    # -- what the controllers do after a write -----------------------------------------------------------------

    def later(self, action: Any) -> None:
        if self.ready_after is not None:
            self.pending.append((time.monotonic() + self.ready_after, action))

    def reconcile(self) -> None:
        due = [item for item in self.pending if item[0] <= time.monotonic()]
        self.pending = [item for item in self.pending if item[0] > time.monotonic()]
        for _, action in due:
            action()

    def pod_deleted(self, pod: dict[str, Any]) -> None:
        namespace, name = pod["metadata"]["namespace"], pod["metadata"]["name"]
        owner = (pod["metadata"].get("ownerReferences") or [None])[0]
        self.event(namespace, "Pod", name, "Killing", "Stopping container app")
        if owner is None:
            return
        rs = self.get("replicasets", namespace, owner["name"])
        if rs is None:
            return
        replacement = self._new_pod(rs, ready=False)
        self.event(
            namespace,
            "ReplicaSet",
            rs["metadata"]["name"],
            "SuccessfulCreate",
            f"Created pod: {replacement['metadata']['name']}",
        )

        def ready() -> None:
            replacement["status"] = _ready_status(True)

        self.later(ready)

    def deployment_changed(self, deployment: dict[str, Any]) -> None:
        deployment["metadata"]["generation"] += 1
        namespace, name = deployment["metadata"]["namespace"], deployment["metadata"]["name"]
        status = deployment.setdefault("status", {})
        status["updatedReplicas"] = 0
        status["availableReplicas"] = min(status.get("availableReplicas") or 0, deployment["spec"].get("replicas", 1))
        current = self.current_replicaset(deployment)
        if int(current["metadata"]["annotations"][REVISION]) != self._max_revision(deployment):
            current["metadata"]["annotations"][REVISION] = str(self._max_revision(deployment) + 1)
        replicas = deployment["spec"].get("replicas", 1)
        message = f"Scaled replica set {current['metadata']['name']} to {replicas}"
        self.event(namespace, "Deployment", name, "ScalingReplicaSet", message)
        self.later(lambda: self._settle(deployment))


def _without_hash(template: dict[str, Any]) -> dict[str, Any]:
    found = copy.deepcopy(template)
    found.get("metadata", {}).get("labels", {}).pop("pod-template-hash", None)
    return found


def _owned(obj: dict[str, Any], owner: dict[str, Any]) -> bool:
    return any(ref.get("uid") == owner["metadata"]["uid"] for ref in obj["metadata"].get("ownerReferences") or [])


# -- RBAC -------------------------------------------------------------------------------------------------------


def load_rbac() -> dict[str, list[dict[str, Any]]]:
    """Group -> the rules of the ClusterRoles bound to it (infra/kubernetes/rbac.yaml)."""
    documents = [d for d in yaml.safe_load_all(RBAC.read_text()) if d]
    roles = {d["metadata"]["name"]: d.get("rules") or [] for d in documents if d["kind"] == "ClusterRole"}
    granted: dict[str, list[dict[str, Any]]] = {}
    for binding in (d for d in documents if d["kind"] in ("ClusterRoleBinding", "RoleBinding")):
        for subject in binding.get("subjects") or []:
            if subject.get("kind") == "Group":
                granted.setdefault(subject["name"], []).extend(roles.get(binding["roleRef"]["name"], []))
    return granted


def allowed(rules: list[dict[str, Any]], verb: str, group: str, resource: str) -> bool:
    return any(
        group in rule.get("apiGroups", []) and resource in rule.get("resources", []) and verb in rule.get("verbs", [])
        for rule in rules
    )


# -- the server -----------------------------------------------------------------------------------------------


class KubeApiServer:
    def __init__(self) -> None:
        self.state = KubeState()
        self.rbac = load_rbac()
        self.url = ""

    def reset(self) -> KubeState:
        self.state = KubeState()
        return self.state

    def writes(self) -> list[Write]:
        with self.state.lock:
            return list(self.state.writes)

    def kubeconfig(self, directory: Path, token: str = ACTIONS_TOKEN, name: str = "kubeconfig") -> str:
        config = {
            "apiVersion": "v1",
            "kind": "Config",
            "clusters": [{"name": "stand-in", "cluster": {"server": self.url}}],
            "users": [{"name": "identity", "user": {"token": token}}],
            "contexts": [{"name": "stand-in", "context": {"cluster": "stand-in", "user": "identity"}}],
            "current-context": "stand-in",
        }
        path = directory / name
        path.write_text(json.dumps(config))
        return str(path)

    # -- one request -----------------------------------------------------------------------------------------

    def answer(self, method: str, raw_path: str, headers: dict[str, str], body: bytes) -> tuple[int, Any]:
        parts = urlsplit(raw_path)
        query = parse_qs(parts.query)
        token = headers.get("authorization", "").removeprefix("Bearer ").strip()
        identity = IDENTITIES.get(token)
        state = self.state
        with state.lock:
            state.requests.append((method, raw_path, identity[0] if identity else "anonymous"))
            if identity is None:
                return 401, status_body(401, "Unauthorized", "Unauthorized")
            match = _PATH.match(parts.path)
            if match is None:
                return 404, status_body(404, "NotFound", "the server could not find the requested resource")
            plural, namespace, name, sub = match["plural"], match["ns"], match["name"], match["sub"]
            verbs = {"DELETE": "delete", "PATCH": "patch", "PUT": "update", "POST": "create"}
            verb = ("get" if name else "list") if method == "GET" else verbs[method]
            resource = f"{plural}/{sub}" if sub else plural
            group = _GROUP[match["prefix"]]
            if not allowed(self.rbac.get(identity[1], []), verb, group, resource):
                message = (
                    f'{plural} "{name or ""}" is forbidden: User "{identity[0]}" cannot {verb} resource "{resource}"'
                    f' in API group "{group}" in the namespace "{namespace}"'
                )
                return 403, status_body(403, "Forbidden", message)
            if method != "GET":
                content_type = headers.get("content-type", "")
                state.writes.append(Write(method, raw_path, content_type, json.loads(body or b"null"), identity[0]))
            state.reconcile()
            return self._serve(state, method, plural, namespace, name, sub, query, headers, body)

    def _serve(
        self,
        state: KubeState,
        method: str,
        plural: str,
        namespace: str,
        name: str | None,
        sub: str | None,
        query: dict[str, list[str]],
        headers: dict[str, str],
        body: bytes,
    ) -> tuple[int, Any]:
        if name is None:
            if method != "GET":
                return 405, status_body(405, "MethodNotAllowed", "the server does not allow this method")
            selector = (query.get("labelSelector") or [""])[0]
            items = [
                o
                for o in state.items(plural, namespace)
                if matches_selector(o["metadata"].get("labels") or {}, selector)
            ]
            kind = {
                "pods": "PodList",
                "replicasets": "ReplicaSetList",
                "deployments": "DeploymentList",
                "events": "EventList",
            }
            return 200, {"kind": kind.get(plural, "List"), "apiVersion": "v1", "metadata": {"resourceVersion": "1"},
                         "items": copy.deepcopy(items)}  # fmt: skip
        obj = state.get(plural, namespace, name)
        if obj is None:
            resource = f"{plural}.apps" if plural in ("deployments", "replicasets") else plural
            details = {"name": name, "kind": plural}
            return 404, status_body(404, "NotFound", f'{resource} "{name}" not found', details)
        if sub == "scale":
            return self._scale(state, method, obj, headers, body)
        if method == "GET":
            return 200, copy.deepcopy(obj)
        if method == "DELETE" and plural == "pods":
            del state.objects[("pods", namespace, name)]
            state.pod_deleted(obj)
            return 200, copy.deepcopy(obj)
        if method == "PATCH" and plural == "deployments":
            content_type = headers.get("content-type", "")
            patch = json.loads(body)
            try:
                if content_type == "application/json-patch+json":
                    changed = apply_json_patch(obj, patch)
                elif content_type == "application/merge-patch+json":
                    changed = merge_patch(obj, patch)
                else:
                    return 415, status_body(
                        415,
                        "UnsupportedMediaType",
                        "the body of the request was in an unknown format - accepted media types include: "
                        f"application/json-patch+json, application/merge-patch+json ({content_type})",
                    )
            except (ValueError, KeyError, TypeError) as error:
                return 422, status_body(422, "Invalid", str(error))
            obj.clear()
            obj.update(changed)
            state.deployment_changed(obj)
            return 200, copy.deepcopy(obj)
        return 405, status_body(
            405, "MethodNotAllowed", "the server does not allow this method on the requested resource"
        )

    def _scale(
        self, state: KubeState, method: str, deployment: dict[str, Any], headers: dict[str, str], body: bytes
    ) -> tuple[int, Any]:
        def scale() -> dict[str, Any]:
            return {
                "kind": "Scale",
                "apiVersion": "autoscaling/v1",
                "metadata": {k: deployment["metadata"][k] for k in ("name", "namespace", "uid", "resourceVersion")},
                "spec": {"replicas": deployment["spec"].get("replicas", 1)},
                "status": {
                    "replicas": deployment["status"].get("replicas", 0),
                    "selector": "app=" + deployment["metadata"]["name"],
                },
            }

        if method == "GET":
            return 200, scale()
        if method == "PATCH":
            if headers.get("content-type") != "application/merge-patch+json":
                return 415, status_body(415, "UnsupportedMediaType", "unsupported patch type")
            patched = merge_patch(scale(), json.loads(body))
            deployment["spec"]["replicas"] = int(patched["spec"]["replicas"])
            state.deployment_changed(deployment)
            return 200, scale()
        return 405, status_body(405, "MethodNotAllowed", "the server does not allow this method")


@contextmanager
def kube_apiserver() -> Iterator[KubeApiServer]:
    server_state = KubeApiServer()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _handle(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            headers = {k.lower(): v for k, v in self.headers.items()}
            code, answer = server_state.answer(self.command, self.path, headers, body)
            data = json.dumps(answer).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _handle

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    server_state.url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield server_state
    finally:
        server.shutdown()
        server.server_close()
