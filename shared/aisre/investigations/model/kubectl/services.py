"""Services and their endpoints, and the keys a ConfigMap or Secret holds, as `kubectl describe`/`get` show them."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from aisre.investigations.model.kubectl.labels import selector_pairs
from aisre.investigations.model.kubectl.text import NONE_VALUES, body_lines, event_lines, table, value_of

_SECRET_KEY = re.compile(r"^([\w.-]+):\s+\d+ bytes$")


@dataclass
class ServiceFacts:
    name: str
    namespace: str
    selector: dict[str, str] = field(default_factory=dict)
    selector_line: str = ""
    service_type: str = ""
    cluster_ip: str = ""
    # The ready addresses; None when the output does not say (newer kubectl, or the live adapter's summary).
    endpoints: list[str] | None = None
    endpoints_line: str = ""
    events: list[str] = field(default_factory=list)

    @property
    def without_endpoints(self) -> bool:
        return self.endpoints is not None and not self.endpoints


def parse_service(text: str, name: str = "", namespace: str = "") -> ServiceFacts:
    service = ServiceFacts(name=value_of(text, "Name") or name, namespace=value_of(text, "Namespace") or namespace)
    selector = value_of(text, "Selector") or ""
    service.selector = selector_pairs(selector)
    service.selector_line = f"Selector: {selector or '<none>'}"
    service.service_type = value_of(text, "Type") or ""
    service.cluster_ip = value_of(text, "IP") or ""
    endpoints = value_of(text, "Endpoints")
    if endpoints is not None:
        service.endpoints = [] if endpoints in NONE_VALUES else [e for e in endpoints.split(",") if e.strip()]
        service.endpoints_line = f"Endpoints: {endpoints or '<none>'}"
    service.events = event_lines(text)
    return service


def parse_endpoints(text: str) -> list[str] | None:
    """`kubectl get endpoints <name>`: the ENDPOINTS cell's addresses ([] for "<none>"), None if not a listing."""
    rows = table(text)
    if not rows or "ENDPOINTS" not in rows[0]:
        return None
    cell = rows[0]["ENDPOINTS"]
    return [] if cell in NONE_VALUES else [e for e in cell.split(",") if e.strip()]


def data_keys(text: str) -> list[str] | None:
    """The keys of a ConfigMap's or Secret's describe (its `Data` section), None when it has none to show."""
    lines = body_lines(text)
    try:
        start = lines.index("Data") + 2  # "Data" then "===="
    except ValueError:
        return None
    keys = []
    for index in range(start, len(lines)):
        line = lines[index]
        if line in ("BinaryData", "Events:") or line.startswith("Events:"):
            break
        secret_key = _SECRET_KEY.match(line)
        if secret_key:
            keys.append(secret_key.group(1))
        elif line.endswith(":") and index + 1 < len(lines) and lines[index + 1].startswith("----"):
            keys.append(line[:-1])
    return keys
