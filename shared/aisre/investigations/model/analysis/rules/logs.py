"""Causes read from what a workload printed (logs, termination messages, events): each a well-known failure."""

from __future__ import annotations

import difflib
import re

from aisre.investigations.model.analysis.finding import Finding
from aisre.investigations.model.analysis.rules.common import crash_phrase
from aisre.investigations.model.analysis.rules.runtime import cause_finding, runtime
from aisre.investigations.model.analysis.text import Hit, find, quotes
from aisre.investigations.model.evidence import Evidence
from aisre.investigations.model.kubectl.dependencies import CONNECT_FAILURE, DNS_FAILURE, DNS_HOST, TARGET

# Binaries commonly invoked from container commands; a not-found name close to one of them is likely a typo.
COMMON_COMMANDS = (
    "wget",
    "curl",
    "bash",
    "sh",
    "python",
    "python3",
    "node",
    "npm",
    "java",
    "nginx",
    "echo",
    "cat",
    "sleep",
    "ls",
    "mkdir",
    "cp",
    "mv",
    "rm",
    "chmod",
    "chown",
    "tar",
    "gzip",
    "unzip",
    "grep",
    "sed",
    "awk",
    "env",
    "nc",
    "ping",
    "nslookup",
    "dig",
    "kubectl",
    "helm",
    "git",
    "ssh",
    "apt-get",
    "apk",
    "yum",
    "pip",
    "pip3",
    "gunicorn",
    "uvicorn",
    "dotnet",
    "ruby",
    "php",
    "perl",
    "go",
    "make",
    "openssl",
    "psql",
    "mysql",
    "redis-cli",
    "touch",
    "tail",
    "head",
    "find",
    "xargs",
    "true",
    "false",
    "test",
    "printf",
    "date",
    "whoami",
    "id",
)


_NOT_FOUND_CMD = re.compile(
    r'exec: "([^"]+)": executable file not found'
    r"|exec: \\\"([^\\\"]+)\\\": executable file not found"
    r"|(?:^|[\s:])([\w./-]+): (?:command )?not found\s*$"
    r'|exec: "([^"]+)": stat .*no such file or directory',
    re.IGNORECASE,
)


def command_not_found(evidence: Evidence) -> Finding | None:
    hits = [h for h in find(runtime(evidence), _NOT_FOUND_CMD) if "Error from server" not in h.line]
    if not hits:
        return None
    command = next(g for g in hits[0].match.groups() if g)
    name = command.rsplit("/", 1)[-1]
    cause = f"The container's command `{command}` is not found: the executable does not exist in the image's $PATH."
    close = difflib.get_close_matches(name, COMMON_COMMANDS, n=1, cutoff=0.6)
    tips = ["Fix the command/entrypoint in the pod spec, or use an image that contains the executable"]
    if close and close[0] != name:
        cause += f" `{name}` looks like a typo of `{close[0]}`."
        tips.insert(0, f"Replace `{name}` with `{close[0]}` in the container command")
    return cause_finding(evidence, "command_not_found", cause, hits, 0.92, *tips)


_EXEC_FORMAT = re.compile(r"exec format error", re.IGNORECASE)


def exec_format_error(evidence: Evidence) -> Finding | None:
    hits = find(runtime(evidence), _EXEC_FORMAT)
    if not hits:
        return None
    cause = "The image's binary cannot run on the node (exec format error): it was built for another CPU architecture."
    tip = "Build or pull the image for the node's architecture (e.g. a multi-arch image with linux/amd64 and arm64)"
    return cause_finding(evidence, "exec_format_error", cause, hits, 0.9, tip)


_ENV = re.compile(
    r"(?i:(?:environment variable|env var(?:iable)?)\s+[\"'`$]?\{?([A-Za-z_][A-Za-z0-9_]*)\}?[\"'`]?\s+"
    r"(?:is\s+)?(?:not set|undefined|missing|not defined|required|empty|must be set))"
    r"|(?i:(?:missing|required|undefined)\s+(?:required\s+)?(?:environment variable|env var)s?:?\s+"
    r"[\"'`]?([A-Za-z_]\w*))"
    r"|KeyError: '([A-Z][A-Z0-9_]+)'"
    r"|\b([A-Z][A-Z0-9_]{2,}) (?:is not set|must be set|is required|not set)",
)


def missing_env_var(evidence: Evidence) -> Finding | None:
    hits = find(runtime(evidence), _ENV)
    if not hits:
        return None
    var = next(g for g in hits[0].match.groups() if g)
    cause = f"The environment variable `{var}` is missing (not set in the container), and the application exits."
    tip = f"Set `{var}` in the container's env (directly, or from a ConfigMap/Secret) and roll the workload"
    return cause_finding(evidence, "missing_env_var", cause, hits, 0.92, tip)


_CONFIG_PARSE = re.compile(
    r"yaml: line \d+|mapping values are not allowed|could not find expected|ScannerError|ParserError"
    r"|json: cannot unmarshal|invalid character .* looking for|JSONDecodeError|Expecting value: line"
    r"|toml: |TomlDecodeError|failed to (?:parse|load|read) (?:the )?(?:config|configuration)"
    r"|error (?:parsing|loading) (?:the )?(?:config|configuration)|invalid configuration|unknown directive",
    re.IGNORECASE,
)


def config_parse_error(evidence: Evidence) -> Finding | None:
    hits = find(runtime(evidence), _CONFIG_PARSE)
    if not hits:
        return None
    cause = "The application's configuration does not parse (a YAML/JSON/TOML or config syntax error), so it exits."
    tip = "Validate the config file (ConfigMap or mounted file) with a linter and fix the reported line"
    return cause_finding(evidence, "config_parse_error", cause, hits, 0.88, tip)


_SHELL_SYNTAX = re.compile(r"syntax error(?:: unexpected| near unexpected token|: end of file unexpected)", re.I)


def shell_syntax_error(evidence: Evidence) -> Finding | None:
    hits = find(runtime(evidence), _SHELL_SYNTAX)
    if not hits:
        return None
    cause = f"The container's shell script has a syntax error ({hits[0].line.strip()}), so the command fails at once."
    tip = "Fix the script in the container command/args (check if/fi, quotes and loops), e.g. with `sh -n`"
    return cause_finding(evidence, "shell_syntax_error", cause, hits, 0.9, tip)


_CERT_EXPIRED = re.compile(
    r"certificate (?:has )?expired|expired certificate|CERT_HAS_EXPIRED|certificate.{0,40}\bexpired\b"
    r"|certificate is not yet valid",
    re.IGNORECASE,
)
_CERT_INVALID = re.compile(
    r"x509: certificate signed by unknown authority|certificate verify failed|x509: certificate is valid for"
    r"|bad certificate|unable to get local issuer certificate|self[- ]signed certificate",
    re.IGNORECASE,
)


def certificate_problem(evidence: Evidence) -> Finding | None:
    expired = find(runtime(evidence), _CERT_EXPIRED)
    if expired:
        cause = "The TLS/SSL certificate the application uses has expired, and it fails on validating it."
        tips = (
            "Renew the certificate (Secret/ConfigMap it is mounted from) and restart the pods",
            "Automate renewal (e.g. cert-manager) and alert on certificate expiry ahead of time",
        )
        return cause_finding(evidence, "certificate_expired", cause, expired, 0.93, *tips)
    invalid = find(runtime(evidence), _CERT_INVALID)
    if invalid:
        cause = "TLS verification fails: the peer's certificate is not trusted or does not match the host name."
        tip = "Mount the right CA bundle or fix the certificate's subject alternative names"
        return cause_finding(evidence, "certificate_invalid", cause, invalid, 0.85, tip)
    return None


def dns_host(hits: list[Hit]) -> str | None:
    for hit in hits:
        match = DNS_HOST.search(hit.line)
        if match:
            return next(g for g in match.groups() if g)
    return None


def dns_failure(evidence: Evidence) -> Finding | None:
    hits = find(runtime(evidence), DNS_FAILURE)
    if not hits:
        return None
    host = dns_host(hits)
    target = f"the host name `{host}`" if host else "a dependency's host name"
    cause = f"DNS resolution fails: the application cannot resolve {target}, so it cannot reach that dependency."
    tips = (
        "Check the name is right and the Service exists in that namespace (name.namespace.svc.cluster.local)",
        "Check CoreDNS/kube-dns pods are healthy and that no NetworkPolicy blocks egress to port 53",
    )
    return cause_finding(evidence, "dns_failure", cause, hits, 0.85, *tips)


def connection_failure(evidence: Evidence) -> Finding | None:
    hits = [h for h in find(runtime(evidence), CONNECT_FAILURE) if not DNS_FAILURE.search(h.line)]
    if not hits:
        return None
    target = next((next(g for g in m.groups() if g) for h in hits if (m := TARGET.search(h.line))), None)
    where = f"`{target}`" if target else "a dependency"
    cause = f"The application cannot connect to {where}: connections are refused, time out or find no available host."
    tips = (
        f"Check that {where} is up, its Service has ready endpoints, and the host/port in the config are right",
        "Check NetworkPolicies and security groups between the workload and the dependency",
    )
    return cause_finding(evidence, "connection_failure", cause, hits, 0.85, *tips)


_POOL = re.compile(
    r"too many connections|too many clients|remaining connection slots|pool (?:is )?exhausted"
    r"|connection pool .*(?:timeout|timed out|exhausted)|Cannot acquire connection|queue has reached its max size"
    r"|Timeout waiting for idle object|Connection is not available, request timed out",
    re.IGNORECASE,
)


def connection_exhaustion(evidence: Evidence) -> Finding | None:
    hits = find(runtime(evidence), _POOL)
    if not hits:
        return None
    cause = "Database connections are exhausted: the server or the client pool has no free connection left."
    tips = (
        "Check the database's max_connections against all clients' pool sizes; look for leaked connections",
        "Add a connection pooler (e.g. PgBouncer) or lower per-replica pool sizes",
    )
    return cause_finding(evidence, "connection_exhaustion", cause, hits, 0.8, *tips)


_ERROR_LINE = re.compile(r"\b(panic:|fatal|exception|error|traceback|critical)\b", re.IGNORECASE)
_TOOL_NOISE = re.compile(r"Error from server|failed with return code|^Command `", re.IGNORECASE)


def application_errors(evidence: Evidence) -> Finding | None:
    """A fallback: the last error lines a workload printed, when no better-known cause matched."""
    hits = [h for h in find(evidence.logs(), _ERROR_LINE) if not _TOOL_NOISE.search(h.line)]
    if not hits:
        return None
    cause = "The workload's logs show errors; the most recent are quoted below."
    tip = "Read the errors in context (kubectl logs, including --previous) and fix what they report"
    return Finding("application_errors", cause + crash_phrase(evidence), quotes(hits[-4:]), 0.35, (tip,))
