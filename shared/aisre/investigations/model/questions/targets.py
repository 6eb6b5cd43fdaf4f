"""Finding the object a question names in what the cluster listed: kubectl's `get -A -o wide` rows (what
`kubectl_find_resource` and the listings print), read into rows, ranked against the name asked, and the
closest names offered when none is it."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

# kubectl prefixes a row's name with its kind when several kinds are listed ("deployment.apps/web").
_KIND_PREFIX = re.compile(r"^([a-z]+)(?:\.[a-z0-9.]+)?/")
# A pod's name made by its owner: <deployment>-<replicaset hash>-<5>, <statefulset>-<ordinal>, <job>-<5>.
_OWNED_SUFFIX = re.compile(r"-(?:[a-z0-9]{6,10}-[a-z0-9]{5}|[a-z0-9]{5}|\d+)$")
_RS_SUFFIX = re.compile(r"-[a-z0-9]{6,10}-[a-z0-9]{5}$")
# An image reference: registry/path:tag or @sha256 (a cell with ':' that is not a time or a port list).
_IMAGE = re.compile(r"[a-z0-9][\w.-]*(?:/[\w.-]+)*(?::[\w.-]+|@sha256:[0-9a-f]{64})")
_HEADER_WORDS = frozenset({"NAME", "NAMESPACE"})
_BAD_STATES = re.compile(
    r"CrashLoopBackOff|Error|ImagePullBackOff|ErrImagePull|Pending|OOMKilled|CreateContainerConfigError|"
    r"CreateContainerError|Evicted|Failed|Unknown|Terminating|ContainerStatusUnknown|Init:|InvalidImageName|"
    r"RunContainerError|NodeLost|Unschedulable|BackOff"
)


@dataclass(frozen=True)
class Row:
    """One object in a listing: where it is, what it is called, and what its row says about its state."""

    namespace: str | None
    name: str
    kind: str | None
    ready: str | None  # "1/2"
    status: str | None  # a pod's STATUS column
    line: str  # the row as printed, for the answer's evidence

    @property
    def images(self) -> list[str]:
        """Container images the row shows (`-o wide` prints a workload's IMAGES)."""
        return [c for c in self.line.split() if _IMAGE.fullmatch(c) and "=" not in c]

    @property
    def labels(self) -> dict[str, str]:
        """The LABELS column (`--show-labels`): the last cell, when it is one."""
        last = self.line.split()[-1] if self.line.split() else ""
        pairs = [p.split("=", 1) for p in last.split(",") if "=" in p]
        return {k: v for k, v in pairs} if pairs and "=" in last else {}

    @property
    def version(self) -> str | None:
        """What the row says the version is: its version label, else its first image's tag."""
        for key in ("app.kubernetes.io/version", "version", "helm.sh/chart"):
            if self.labels.get(key):
                return self.labels[key]
        for image in self.images:
            tag = image.rsplit(":", 1)[1] if ":" in image.rsplit("/", 1)[-1] else None
            if tag:
                return tag
        return None

    @property
    def workload(self) -> str:
        """The name of what owns a pod (the name itself for anything else)."""
        return _OWNED_SUFFIX.sub("", self.name) if self.kind in (None, "pod") else self.name

    @property
    def healthy(self) -> bool:
        if self.status and _BAD_STATES.search(self.status):
            return False
        if self.ready and "/" in self.ready:
            have, want = self.ready.split("/", 1)
            if have.isdigit() and want.isdigit() and int(have) < int(want) and self.status != "Completed":
                return False
        return True


def parse_rows(text: str, kind: str | None = None, namespaced: bool = True) -> list[Row]:
    """The rows of a `kubectl get` listing (with or without its header, with or without a namespace column)."""
    rows: list[Row] = []
    header: list[str] | None = None
    for line in text.splitlines():
        cells = line.split()
        if not cells or line.startswith(("stdout:", "stderr:", "Command `", "Error from server", "No resources")):
            continue
        if cells[0] in _HEADER_WORDS:
            header = cells
            namespaced = cells[0] == "NAMESPACE"
            continue
        if namespaced and len(cells) < 2:
            continue
        namespace, raw = (cells[0], cells[1]) if namespaced else (None, cells[0])
        rest = cells[2:] if namespaced else cells[1:]
        prefix = _KIND_PREFIX.match(raw)
        row_kind = prefix.group(1) if prefix else kind
        name = raw[prefix.end() :] if prefix else raw
        ready = rest[0] if rest and re.fullmatch(r"\d+/\d+", rest[0]) else None
        status = _column(header, cells, "STATUS") if header else None
        if row_kind in (None, "pod") and status is None and ready and len(rest) > 1:
            status = rest[1]  # a pod row: READY STATUS RESTARTS ...
        rows.append(Row(namespace, name, row_kind, ready, status, line.rstrip()))
    return rows


def _column(header: Sequence[str], cells: Sequence[str], title: str) -> str | None:
    # Only reliable while no earlier cell has spaces (RESTARTS "1 (8s ago)" comes after STATUS).
    return cells[header.index(title)] if title in header and header.index(title) < len(cells) else None


@dataclass(frozen=True)
class Match:
    rows: tuple[Row, ...]  # the rows that are the object asked about (or its pods), best first
    exact: bool  # a row has exactly the name asked (not only pods owned by it)


def find_named(rows: Iterable[Row], name: str, namespace: str | None = None) -> Match | None:
    """The rows that are `name` or its pods, those in `namespace` first, unhealthy ones first; None when none is."""
    name = name.lower()
    exact: list[Row] = []
    owned: list[Row] = []
    for row in rows:
        row_name = row.name.lower()
        if row_name == name:
            exact.append(row)
        elif row.workload.lower() == name or (row_name.startswith(name + "-") and _RS_SUFFIX.search(row_name)):
            owned.append(row)
    chosen = exact or owned
    if not chosen:
        return None
    chosen.sort(key=lambda r: (namespace is not None and r.namespace != namespace, r.healthy))
    return Match(tuple(chosen), bool(exact))


def close_names(name: str, names: Iterable[str], limit: int = 3) -> list[str]:
    """The names most like `name`, for "did you mean": whole names and their owners' names alike."""
    pool: dict[str, str] = {}
    for full in names:
        for candidate in (full, _OWNED_SUFFIX.sub("", full)):
            pool.setdefault(candidate.lower(), candidate)
    ranked = difflib.get_close_matches(name.lower(), list(pool), n=limit, cutoff=0.55)
    if not ranked:  # names sharing a word ("certs") are still worth naming
        words = {w for w in re.split(r"[-_.]", name.lower()) if len(w) > 2}
        ranked = [c for c in pool if words & set(re.split(r"[-_.]", c))][:limit]
    return [pool[c] for c in ranked]
