"""A scripted Kubernetes API server on loopback, for the Kubernetes tools' tests: GET of objects and lists by the
API's paths (core and named groups, namespaced or not), field and label selectors as the API server reads them, the
pod log endpoint answered by the test, and every other method refused (405) and recorded."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.support.servers import free_port

TOKEN = "test-bearer-token"
Query = dict[str, list[str]]
# (api prefix, plural) -> objects; e.g. ("api/v1", "pods"), ("apis/apps/v1", "deployments")
Store = Mapping[tuple[str, str], list[dict[str, Any]]]
LogAnswer = Callable[[str, str, Query], tuple[int, Any]]  # (pod, namespace, query) -> (status, text or Status)

_PATH = re.compile(
    r"^/(?P<prefix>api/v1|apis/[^/]+/[^/]+)(?:/namespaces/(?P<ns>[^/]+))?/(?P<plural>[a-z]+)"
    r"(?:/(?P<name>[^/]+))?(?:/(?P<sub>log))?$"
)


@dataclass
class Seen:
    requests: list[tuple[str, str, Query]] = field(default_factory=list)
    auth: list[str] = field(default_factory=list)

    def last(self, path_part: str) -> Query:
        """The query of the last GET whose path holds `path_part`."""
        return next(query for _, path, query in reversed(self.requests) if path_part in path)

    def paths(self) -> list[str]:
        return [path for _, path, _ in self.requests]


def status(code: int, reason: str, message: str) -> dict[str, Any]:
    return {
        "kind": "Status",
        "apiVersion": "v1",
        "status": "Failure",
        "message": message,
        "reason": reason,
        "code": code,
    }


def query_bool(query: Query, name: str) -> bool:
    """A boolean query parameter as the API server reads it: absent, "0", "false" or "no" (any case) is false,
    anything else true (clients send "true" or, before kubernetes 36, Python's "True")."""
    values = query.get(name)
    return bool(values) and values[0].lower() not in ("0", "false", "no")


def _value(obj: Mapping[str, Any], path: str) -> str:
    found: Any = obj
    for key in path.split("."):
        found = found.get(key) if isinstance(found, Mapping) else None
    return "" if found is None else str(found)


def field_selected(obj: Mapping[str, Any], selector: str) -> bool:
    """`spec.nodeName=n1,status.phase!=Failed`: every term holds (dotted paths into the object)."""
    for term in filter(None, selector.split(",")):
        if "!=" in term:
            key, want = term.split("!=", 1)
            if _value(obj, key) == want:
                return False
        else:
            key, want = term.split("=", 1)
            if _value(obj, key.rstrip("=")) != want:
                return False
    return True


def label_selected(obj: Mapping[str, Any], selector: str) -> bool:
    labels = (obj.get("metadata") or {}).get("labels") or {}
    return all(labels.get(k) == v for k, v in (t.split("=", 1) for t in filter(None, selector.split(","))))


def answer(store: Store, log: LogAnswer, path: str, query: Query) -> tuple[int, Any]:
    match = _PATH.match(path)
    if not match or match["prefix"].startswith("apis/metrics.k8s.io"):
        return 404, status(404, "NotFound", "the server could not find the requested resource")
    objects = [
        o
        for o in store.get((match["prefix"], match["plural"]), [])
        if match["ns"] is None or o["metadata"].get("namespace") == match["ns"]
    ]
    if match["name"]:
        found = [o for o in objects if o["metadata"]["name"] == match["name"]]
        if not found:
            return 404, status(404, "NotFound", f'{match["plural"]} "{match["name"]}" not found')
        return log(match["name"], match["ns"] or "", query) if match["sub"] else (200, found[0])
    selector = ",".join(query.get("fieldSelector", []))
    labels = ",".join(query.get("labelSelector", []))
    objects = [o for o in objects if field_selected(o, selector) and label_selected(o, labels)]
    return 200, {"kind": "List", "apiVersion": "v1", "metadata": {}, "items": objects}


@contextmanager
def serve_kubernetes_api(store: Store, log: LogAnswer) -> Iterator[tuple[str, Seen]]:
    seen = Seen()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            query = parse_qs(parts.query)
            seen.requests.append(("GET", parts.path, query))
            seen.auth.append(self.headers.get("Authorization", ""))
            code, body = answer(store, log, parts.path, query)
            data = body.encode() if isinstance(body, str) else json.dumps(body).encode()
            self.send_response(code)
            self.send_header("Content-Type", "text/plain" if isinstance(body, str) else "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _refuse(self) -> None:
            seen.requests.append((self.command, self.path, {}))
            self.send_response(405)
            self.end_headers()

        do_POST = do_PUT = do_PATCH = do_DELETE = _refuse

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", seen
    finally:
        server.shutdown()
        server.server_close()


def write_kubeconfig(tmp_path: Path, server: str) -> str:
    config = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": "fake", "cluster": {"server": server}}],
        "users": [{"name": "reader", "user": {"token": TOKEN}}],
        "contexts": [{"name": "fake", "context": {"cluster": "fake", "user": "reader"}}],
        "current-context": "fake",
    }
    path = tmp_path / "kubeconfig"
    path.write_text(json.dumps(config))  # JSON is YAML
    return str(path)


@dataclass
class StampedLogs:
    """Each container's log as the kubelet keeps it: (time, line) entries of its current and previous instance,
    answered as the log endpoint does (timestamps, sinceSeconds from `now`, tailLines, 400 where there is none)."""

    now: datetime
    entries: dict[tuple[str, str, bool], list[tuple[datetime, str]]]

    def __call__(self, pod: str, namespace: str, query: Query) -> tuple[int, Any]:
        container = (query.get("container") or [""])[0]
        previous = query_bool(query, "previous")
        found = self.entries.get((pod, container, previous))
        if found is None:
            if previous:
                message = f'previous terminated container "{container}" in pod "{pod}" not found'
            else:
                message = f'container "{container}" in pod "{pod}" is waiting to start: ContainerCreating'
            return 400, status(400, "BadRequest", message)
        entries = list(found)
        if query.get("sinceSeconds"):
            since = self.now - timedelta(seconds=int(query["sinceSeconds"][0]))
            entries = [(when, line) for when, line in entries if when >= since]
        if query.get("tailLines"):
            entries = entries[-int(query["tailLines"][0]) :]
        stamped = query_bool(query, "timestamps")
        return 200, "".join(
            f"{when.astimezone(UTC).strftime('%Y-%m-%dT%H:%M:%S.%f')}000Z {line}\n" if stamped else f"{line}\n"
            for when, line in entries
        )
