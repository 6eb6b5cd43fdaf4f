"""Container failures read from describe and events: OOMKilled, CrashLoopBackOff, image pulls, config errors, probes."""

from __future__ import annotations

import re

from aisre.investigations.model.analysis.finding import Finding
from aisre.investigations.model.analysis.rules.common import crash_looping, crash_phrase, pod_containers
from aisre.investigations.model.analysis.text import find, quote, quotes
from aisre.investigations.model.evidence import Evidence
from aisre.investigations.model.kubectl.containers import probe_port
from aisre.investigations.model.kubectl.services import data_keys

_JVM_OOM = re.compile(r"java\.lang\.OutOfMemoryError|Out of memory: Kill(ed)? process|OOMKilling", re.IGNORECASE)


def oom_killed(evidence: Evidence) -> Finding | None:
    """The kernel killed a container for exceeding its memory limit (exit 137), or the JVM ran out of heap."""
    killed = [c for c in pod_containers(evidence) if "OOMKilled" in (c.info.last_reason, c.info.state_reason)]
    jvm = find(evidence.focused(), _JVM_OOM)
    if not killed and not jvm:
        return None
    lines: list[str] = [c.state_line() for c in killed]
    if killed:
        first = killed[0]
        limit = first.info.limits.get("memory")
        limit_text = f" of {limit}" if limit else ""
        cause = (
            f"{first.where} was OOMKilled (out of memory, exit code {first.info.exit_code or '137'}): "
            f"it used more memory than its limit{limit_text}, so the kernel killed it."
        )
        if limit:
            lines.append(f"Limits: memory: {limit}")
    else:
        cause = "A process ran out of memory (OOM): the logs show an out-of-memory error."
    lines.extend(quotes(jvm, 3))
    if any("OutOfMemoryError" in hit.line for hit in jvm):
        cause += " The JVM heap is exhausted; a heap (-Xmx) larger than the container limit also leads to OOM kills."
    return Finding(
        rule="oom_killed",
        root_cause=cause + crash_phrase(evidence),
        evidence_lines=tuple(lines),
        confidence=0.95,
        suggestions=(
            "Raise the container's memory limit (and request) to cover its real peak usage",
            "Check for a memory leak or unbounded cache; for a JVM set -Xmx or -XX:MaxRAMPercentage below the limit",
        ),
    )


def crash_loop(evidence: Evidence) -> Finding | None:
    """CrashLoopBackOff as such: the symptom, with the last exit; cause-specific rules rank above it."""
    looping = crash_looping(evidence)
    if not looping:
        return None
    first = looping[0]
    last = first.info.last_reason or "unknown reason"
    cause = (
        f"{first.where} is in CrashLoopBackOff: it keeps exiting and Kubernetes keeps restarting it "
        f"(restart count {first.info.restart_count}, last termination: {last}, "
        f"exit code {first.info.exit_code or '?'})."
    )
    if first.info.last_reason == "Completed" or first.info.exit_code == "0":
        cause += " The main process exits on its own (exit code 0), so the cause is in what it printed before exiting."
    lines = [c.state_line() for c in looping]
    if first.info.message:
        lines.append(f"Message: {first.info.message}")
    return Finding(
        rule="crash_loop",
        root_cause=cause,
        evidence_lines=tuple(lines),
        confidence=0.6,
        suggestions=(
            "Read the previous container's logs (kubectl logs --previous) for the error printed before exit",
            "Check the container's command, arguments, environment and mounted configuration",
        ),
    )


_PULL = re.compile(r"Failed to pull image|ErrImagePull|ImagePullBackOff|Back-off pulling image", re.IGNORECASE)
_IMAGE = re.compile(r'image \\?"([^"\\]+)\\?"', re.IGNORECASE)
_NOT_FOUND = re.compile(r"manifest unknown|not found|does not exist|no such manifest", re.IGNORECASE)
_DENIED = re.compile(r"unauthorized|denied|authorization failed|authentication required|forbidden", re.IGNORECASE)


def image_pull(evidence: Evidence) -> Finding | None:
    hits = find(evidence.focused(), _PULL)
    if not hits:
        return None
    image = next((m.group(1) for h in hits if (m := _IMAGE.search(h.line))), None)
    detail = " ".join(h.line for h in hits)
    if _DENIED.search(detail) and _NOT_FOUND.search(detail):
        why = "the repository does not exist or the node is not authorized to pull it (pull access denied)"
    elif _DENIED.search(detail):
        why = "the registry refused access (unauthorized): credentials or imagePullSecrets are missing or wrong"
    elif _NOT_FOUND.search(detail):
        why = "the image or tag does not exist in the registry (manifest not found)"
    else:
        why = "the pull keeps failing (see the event messages)"
    named = f"the image `{image}`" if image else "the container image"
    # kubectl's own event lines read better than the same text inside a JSON finding; detailed ones first.
    detailed = sorted(hits, key=lambda h: (h.result.tool.startswith("fetch_"), "Failed to pull" not in h.line))
    return Finding(
        rule="image_pull",
        root_cause=f"Kubernetes cannot pull {named} (ErrImagePull / ImagePullBackOff): {why}.",
        evidence_lines=quotes(detailed, 4),
        confidence=0.93,
        suggestions=(
            "Check the image name and tag exist in the registry (typos, deleted or never pushed tags)",
            "For a private registry, add an imagePullSecret with valid credentials to the pod's service account",
        ),
    )


_CONFIG_REF = re.compile(
    r'(secret|configmap)s? \\?"?([\w.-]+)\\?"? not found|couldn\'t find key (\S+) in (Secret|ConfigMap) ([\w./-]+)'
    r"|CreateContainerConfigError",
    re.IGNORECASE,
)


def container_config_error(evidence: Evidence) -> Finding | None:
    """CreateContainerConfigError / FailedMount: the pod references a Secret or ConfigMap (key) that is not there;
    the object's own read, when made, confirms it is missing or shows the keys it has."""
    hits = find(evidence.focused(), _CONFIG_REF)
    named = [h for h in hits if h.match.group(2) or h.match.group(3)]
    if not hits:
        return None
    lines = list(quotes(named or hits))
    if named:
        match = named[0].match
        if match.group(2):
            kind, name, key = match.group(1).lower(), match.group(2), ""
            what = f"{kind} `{name}`"
        else:
            kind, name, key = match.group(4).lower(), match.group(5).rsplit("/", 1)[-1], match.group(3)
            what = f"key `{key}` in {match.group(4)} `{name}`"
        cause = f"The container cannot be created because the referenced {what} does not exist."
        cause += _object_read(evidence, kind, name, key, lines)
    else:
        cause = (
            "The container cannot be created (CreateContainerConfigError): a referenced Secret or ConfigMap is missing."
        )
    return Finding(
        rule="container_config_error",
        root_cause=cause,
        evidence_lines=tuple(lines),
        confidence=0.9,
        suggestions=(
            "Create the missing Secret/ConfigMap (or key) in the pod's namespace, or fix the reference's name",
        ),
    )


def _object_read(evidence: Evidence, kind: str, name: str, key: str, lines: list[str]) -> str:
    """What reading the ConfigMap or Secret itself showed, appending its line to `lines`."""
    for result in evidence.describes(kind):
        if result.params.get("name") != name:
            continue
        if result.status == "success" and result.text.strip() and "not found" not in result.text[:200]:
            keys = data_keys(result.text)
            if key and keys is not None and key not in keys:
                lines.append(f"{kind.capitalize()} {name}: Data keys: {', '.join(keys) or 'none'}")
                return f" `{name}` exists, but its keys are: {', '.join(keys) or 'none'}."
            return ""
        if "not found" in result.body:
            lines.append(f"{result.label}: {quote(result.body)}")
            return " Reading it confirms: it is not found."
    return ""


_PROBE = re.compile(r"(Readiness|Liveness|Startup) probe failed:?\s*(.*)", re.IGNORECASE)


def failing_probe(evidence: Evidence) -> Finding | None:
    hits = find(evidence.focused(), _PROBE)
    if not hits:
        return None
    kind = hits[0].match.group(1).capitalize()
    effect = {
        "Liveness": "so the kubelet kills and restarts the container",
        "Readiness": "so the pod is kept out of its Service's endpoints (not ready)",
        "Startup": "so the container is restarted before it finishes starting",
    }[kind]
    return Finding(
        rule="failing_probe",
        root_cause=f"The container fails its {kind.lower()} probe, {effect}: {hits[0].match.group(2).strip()}",
        evidence_lines=quotes(hits),
        confidence=0.75,
        suggestions=(
            "Check the probe's path, port and timeouts against what the application really serves",
            "If the application is slow to start, add a startupProbe or raise initialDelaySeconds",
        ),
    )


# "listening on :8080", "Listening on port 8080", "serving HTTP on 0.0.0.0:8080", "bound to [::]:8080".
_LISTENING = re.compile(
    r"\b(?:listen(?:ing|s)?|serving|bound)\b(?: \w+){0,3}? (?:on|at|to)\s+(?:port\s+|(?:https?://)?[\w.\[\]:-]*:)(\d{2,5})\b"
    r"|\bstarted on port\(?s?\)?:?\s*(\d{2,5})\b",
    re.IGNORECASE,
)
_PROBE_REFUSED = re.compile(r"(Readiness|Liveness|Startup) probe failed:.*(?:connection refused|connect: )", re.I)


def probe_port_mismatch(evidence: Evidence) -> Finding | None:
    """A probe checks a port the container does not serve: it declares (or logs that it listens on) another one,
    so every probe is refused."""
    refused = find(evidence.focused(), _PROBE_REFUSED)
    if not refused:
        return None
    listening = {_port(hit.match) for hit in find(evidence.logs(), _LISTENING)}
    for container in pod_containers(evidence):
        for kind, probe in container.info.probes.items():
            port = probe_port(probe)
            serves = set(container.info.ports) | listening
            if port is None or not serves or port in serves:
                continue
            if not any(h.match.group(1).lower() == kind.lower() for h in refused):
                continue
            said = sorted(serves)
            where = ", ".join(str(p) for p in said)
            logged = [h.line for h in find(evidence.logs(), _LISTENING) if _port(h.match) in said][:1]
            return Finding(
                rule="probe_port_mismatch",
                root_cause=(
                    f"The {kind.lower()} probe of {container.where} checks port {port}, but the container serves "
                    f"{where} (its declared ports{' and its log' if logged else ''}), so every probe is refused"
                    + (" and the kubelet keeps restarting it." if kind == "Liveness" else " and it never turns ready.")
                ),
                evidence_lines=(
                    f"{container.pod}/{container.info.name}: {kind}: {probe}",
                    f"{container.pod}/{container.info.name}: Ports: "
                    + (", ".join(f"{p}/TCP" for p in container.info.ports) or "<none>"),
                    *(quote(line) for line in logged),
                    refused[0].quote,
                ),
                confidence=0.93,
                suggestions=(
                    f"Point the {kind.lower()} probe at port {said[0]} (or the port's name), or make the application "
                    f"serve its health endpoint on {port}",
                ),
            )
    return None


def _port(match: re.Match[str]) -> int:
    return int(next(g for g in match.groups() if g))
