"""Reads the container sections of `kubectl describe` output (pods and pod templates) into plain records."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_KEY_VALUE = re.compile(r"^(\s*)([A-Za-z][\w ./-]*?):\s*(.*)$")
# kubectl's words for an env var taken from an object: "<set to the key 'k' in secret 's'>" and
# "<set to the key 'k' of config map 'c'>"; an envFrom source is a row "name  ConfigMap|Secret  Optional: false".
_KEY_REF = re.compile(r"<set to the key '([^']+)' (?:in secret|of config map) '([^']+)'>")
_FROM_REF = re.compile(r"^(\S+)\s+(ConfigMap|Secret)\b")
_PORT = re.compile(r"\b(\d{1,5})/(?:TCP|UDP|SCTP)\b")
_PROBE_PORT = re.compile(
    r"(?:http-get|https-get|tcp-socket|grpc)\s+(?:https?://)?[\w.-]*:(\d{1,5})\b|\bport=(\d{1,5})\b"
)


def probe_port(probe: str) -> int | None:
    """The port a probe line checks (`http-get http://:8081/healthz ...`, `tcp-socket :5432 ...`); None for an
    exec probe or a named port."""
    match = _PROBE_PORT.search(probe)
    return int(next(g for g in match.groups() if g)) if match else None


@dataclass
class ContainerInfo:
    """What describe says about one container; absent fields stay empty."""

    name: str
    init: bool = False
    image: str = ""
    state: str = ""
    state_reason: str = ""
    last_state: str = ""
    last_reason: str = ""
    exit_code: str = ""
    message: str = ""
    restart_count: int = 0
    command: list[str] = field(default_factory=list)
    limits: dict[str, str] = field(default_factory=dict)
    requests: dict[str, str] = field(default_factory=dict)
    # The ConfigMaps and Secrets its environment reads: (kind, name, key), key "" for a whole object (envFrom).
    env_refs: list[tuple[str, str, str]] = field(default_factory=list)
    ports: list[int] = field(default_factory=list)  # the container ports it declares
    # Its probes as describe prints them: kind ("Liveness", "Readiness", "Startup") -> "http-get http://:8081/healthz
    # delay=15s ..."; the port a probe checks is `probe_port(...)`.
    probes: dict[str, str] = field(default_factory=dict)

    @property
    def crash_looping(self) -> bool:
        return self.state_reason == "CrashLoopBackOff"


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def parse_containers(text: str) -> list[ContainerInfo]:
    """Containers listed under every `Containers:`/`Init Containers:` heading, at whatever indentation."""
    lines = text.splitlines()
    containers: list[ContainerInfo] = []
    i = 0
    while i < len(lines):
        heading = lines[i].strip()
        if heading in ("Containers:", "Init Containers:"):
            base = _indent(lines[i])
            i += 1
            while i < len(lines) and (not lines[i].strip() or _indent(lines[i]) > base):
                line = lines[i]
                if line.strip().endswith(":") and ":" not in line.strip()[:-1]:
                    start = _indent(line)
                    block: list[str] = []
                    i += 1
                    while i < len(lines) and (not lines[i].strip() or _indent(lines[i]) > start):
                        block.append(lines[i])
                        i += 1
                    containers.append(_container(line.strip()[:-1], block, heading.startswith("Init")))
                else:
                    i += 1
        else:
            i += 1
    return containers


def _container(name: str, block: list[str], init: bool) -> ContainerInfo:
    info = ContainerInfo(name=name, init=init)
    if not block:
        return info
    top = min(_indent(line) for line in block if line.strip())
    section = ""
    for line in block:
        if not line.strip():
            continue
        depth = _indent(line)
        match = _KEY_VALUE.match(line)
        if depth == top:
            section = ""
            if not match:
                continue
            key, value = match.group(2), match.group(3).strip()
            section = key
            if key == "Image":
                info.image = value
            elif key == "State":
                info.state = value
            elif key == "Last State":
                info.last_state = value
            elif key == "Restart Count" and value.isdigit():
                info.restart_count = int(value)
            elif key in ("Command", "Args") and value:
                info.command.append(value)
            elif key in ("Port", "Ports"):
                info.ports += [int(port) for port in _PORT.findall(value)]
            elif key in ("Liveness", "Readiness", "Startup"):
                info.probes[key] = value
        elif match or section in ("Command", "Args", "Environment Variables from"):
            _sub_field(info, section, line.strip(), match)
    return info


def _sub_field(info: ContainerInfo, section: str, stripped: str, match: re.Match[str] | None) -> None:
    if section in ("Command", "Args"):
        info.command.append(stripped)
        return
    if section == "Environment Variables from" and (source := _FROM_REF.match(stripped)):
        info.env_refs.append((source.group(2), source.group(1), ""))
        return
    if section == "Environment" and (ref := _KEY_REF.search(stripped)):
        kind = "Secret" if " in secret " in ref.group(0) else "ConfigMap"
        info.env_refs.append((kind, ref.group(2), ref.group(1)))
        return
    if match is None:
        return
    key, value = match.group(2), match.group(3).strip()
    if section == "State" and key == "Reason":
        info.state_reason = value
    elif section == "Last State":
        if key == "Reason":
            info.last_reason = value
        elif key == "Exit Code":
            info.exit_code = value
        elif key == "Message":
            info.message = value
    elif section == "Limits":
        info.limits[key] = value
    elif section == "Requests":
        info.requests[key] = value
