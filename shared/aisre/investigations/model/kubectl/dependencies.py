"""What a workload's log lines say about the dependencies it reaches: host names that do not resolve, and the
addresses it cannot connect to; and which of them are the cluster's own Services (`name.namespace.svc...`,
a bare name in the workload's namespace, a Service's cluster IP).

Shared by the gathering (which reads those Services and the cluster's DNS next) and the rules (which join them)."""

from __future__ import annotations

import re
from dataclasses import dataclass

DNS_FAILURE = re.compile(
    r"no such host|Name or service not known|NXDOMAIN|Temporary failure in name resolution|Failed to resolve '"
    r"|NameResolutionError|could not resolve host|getaddrinfo (?:ENOTFOUND|EAI_AGAIN)|nodename nor servname"
    r"|UnknownHostException|Unknown host|Name does not resolve|could not translate host name|server misbehaving"
    r"|\bSERVFAIL\b|\bEAI_AGAIN\b|getaddrinfo failed|bad address '|No address associated with hostname"
    r"|lookup [\w.-]+ on [\w.:\[\]]+: .*(?:i/o timeout|connection refused)",
    re.IGNORECASE,
)
DNS_HOST = re.compile(
    r"resolve '([^']+)'|resolve host: ([\w.-]+)|lookup ([\w.-]+)|host='([^']+)'|getaddrinfo \w+ ([\w.-]+)"
    r"|UnknownHostException: ([\w.-]+)|translate host name \\?\"([^\"\\]+)|bad address '([^']+)'"
    r"|\(host ([\w.-]+)\)|([\w-]+(?:\.[\w-]+)+): (?:Name does not resolve|Name or service not known)",
    re.IGNORECASE,
)
CONNECT_FAILURE = re.compile(
    r"connection refused|ECONNREFUSED|connect: connection timed out|i/o timeout|No route to host"
    r"|All host\(s\) tried .* failed|no available connection|could not connect to|unable to connect"
    r"|failed to connect|Connection reset by peer|connection timed out",
    re.IGNORECASE,
)
# The address a failed connection went to: `dial tcp 10.0.0.1:5432`, `host:port` (not a source file:line).
TARGET = re.compile(
    r"dial tcp ([\d.]+:\d+)|\b(\d{1,3}(?:\.\d{1,3}){3}:\d{2,5})\b"
    r"|(?<![\w.-])([a-z][\w-]*(?:\.(?!(?:go|py|js|ts|java|rb|rs|kt|cs|cc|cpp|php|scala|c):\d)[\w-]+)*:\d{2,5})\b",
    re.IGNORECASE,
)
_SOURCE_FILE = re.compile(r"\.(?:go|py|js|ts|java|rb|rs|c|cc|cpp|kt|scala|php|cs):\d+$", re.IGNORECASE)
_CLUSTER_NAME = re.compile(
    r"^([a-z0-9](?:[a-z0-9-]*[a-z0-9])?)\.([a-z0-9](?:[a-z0-9-]*[a-z0-9])?)\.svc(?:\.[\w.-]+)?\.?$"
)
_BARE_NAME = re.compile(r"^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$")
_IP = re.compile(r"^\d{1,3}(?:\.\d{1,3}){3}$")


@dataclass(frozen=True)
class ServiceRef:
    """A Service a log line names or dials: by name in a namespace, or by cluster IP (name empty)."""

    namespace: str
    name: str = ""
    address: str = ""  # a cluster IP
    host: str = ""  # as the log wrote it


def service_of(host: str, namespace: str) -> ServiceRef | None:
    """The in-cluster Service a host name means: `name.ns.svc[.cluster.local]`, or a bare `name` in the workload's
    own namespace; an IP is a Service only if some Service has it as its cluster IP (checked by the reader)."""
    host = host.strip().rstrip(".").lower()
    match = _CLUSTER_NAME.match(host)
    if match:
        return ServiceRef(match.group(2), name=match.group(1), host=host)
    if _IP.match(host):
        return ServiceRef(namespace, address=host, host=host)
    if _BARE_NAME.match(host) and not host.isdigit():
        return ServiceRef(namespace, name=host, host=host)
    return None


def unresolved_hosts(text: str) -> list[str]:
    """Host names the log says could not be resolved, in order of first mention."""
    found: list[str] = []
    for line in text.splitlines():
        if DNS_FAILURE.search(line):
            match = DNS_HOST.search(line)
            if match:
                found.append(next(g for g in match.groups() if g))
    return list(dict.fromkeys(found))


def failed_targets(text: str) -> list[str]:
    """Hosts or IPs (without the port) the log says it could not connect to, in order of first mention."""
    found: list[str] = []
    for line in text.splitlines():
        if not CONNECT_FAILURE.search(line) or DNS_FAILURE.search(line):
            continue
        for match in TARGET.finditer(line):
            target = next(g for g in match.groups() if g)
            if not _SOURCE_FILE.search(target):
                found.append(target.rsplit(":", 1)[0])
                break
    return list(dict.fromkeys(found))


def dns_failures(text: str) -> bool:
    return any(DNS_FAILURE.search(line) for line in text.splitlines())
