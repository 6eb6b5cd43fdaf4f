"""Permission errors a workload reports: the Kubernetes API's RBAC (`forbidden: User ... cannot ...`), a cloud's
IAM (AWS AccessDenied / not authorized to perform, GCP PERMISSION_DENIED, Azure AuthorizationFailed) or missing
credentials, and the file system's (permission denied). Each names who was denied what, where the text says."""

from __future__ import annotations

import re
from dataclasses import dataclass

from aisre.investigations.model.analysis.finding import Finding
from aisre.investigations.model.analysis.rules.runtime import cause_finding, runtime
from aisre.investigations.model.analysis.text import find
from aisre.investigations.model.evidence import Evidence

# Quotes may come escaped (\") from logs recorded as JSON.
_Q = r'\\?"'
_RBAC = re.compile(
    rf"forbidden: User {_Q}([^\"\\]+){_Q} cannot ([\w-]+) (?:resource|path) {_Q}([^\"\\]+){_Q}"
    rf"(?: in API group {_Q}([^\"\\]*){_Q})?(?: in the namespace {_Q}([^\"\\]+){_Q}| at the cluster scope)?",
    re.IGNORECASE,
)
_SERVICE_ACCOUNT = re.compile(r"^system:serviceaccount:([^:]+):(.+)$")


def rbac_forbidden(evidence: Evidence) -> Finding | None:
    hits = find(runtime(evidence), _RBAC)
    if not hits:
        return None
    user, verb, resource, group, namespace = hits[0].match.groups()
    account = _SERVICE_ACCOUNT.match(user)
    who = f"service account `{account.group(2)}` (namespace `{account.group(1)}`)" if account else f"`{user}`"
    where = (
        f" in namespace `{namespace}`" if namespace else (" cluster-wide" if "cluster scope" in hits[0].line else "")
    )
    api = f" (API group `{group}`)" if group else ""
    cause = f"RBAC forbids the workload: {who} cannot {verb} `{resource}`{api}{where} (forbidden by the API server)."
    binding = "a Role and RoleBinding" if namespace else "a ClusterRole and ClusterRoleBinding"
    tips = [f"Grant {binding} allowing `{verb}` on `{resource}` to {who}"]
    if user == "system:anonymous":
        cause += " The request carried no credentials: the client sent no service account token."
        tips.insert(
            0, "Send the pod's service account token (mounted at /var/run/secrets/kubernetes.io/serviceaccount)"
        )
    return cause_finding(evidence, "rbac_forbidden", cause, hits, 0.9, *tips)


@dataclass(frozen=True)
class _Denial:
    cloud: str
    # Each phrasing of a denial, naming what it says of it: who, action, resource, code.
    phrasings: tuple[re.Pattern[str], ...]
    tip: str

    def search(self, line: str) -> re.Match[str] | None:
        return next((m for p in self.phrasings if (m := p.search(line))), None)


# The clouds' own error codes and phrasings (case kept: "AccessDenied" is a code, "access denied" is prose that
# image pulls and web servers also print).
_DENIALS = (
    _Denial(
        "AWS",
        (
            re.compile(
                r"(?:User|Role|Principal): (?P<who>arn:aws[\w-]*:\S+?) is not authorized to perform:? "
                r"(?P<action>[\w-]+:[\w*]+)(?: on resource:? (?P<resource>[^\s,]+))?"
            ),
            re.compile(r"not authorized to perform:? (?P<action>sts:AssumeRoleWithWebIdentity)"),
            re.compile(
                r"\((?P<code>AccessDenied(?:Exception)?|UnauthorizedOperation|AuthorizationError)\) when calling "
                r"the (?P<action>\w+) operation"
            ),
            re.compile(r"\b(?P<code>AccessDenied(?:Exception)?|UnauthorizedOperation|AuthorizationError)\b"),
        ),
        "Allow the action in the IAM policy of the role the pod assumes (IRSA / EKS Pod Identity), and check the "
        "role's trust policy names the pod's service account",
    ),
    _Denial(
        "GCP",
        (
            re.compile(r"Permission '(?P<action>[\w.]+)' denied(?: on resource '?(?P<resource>[^'\s]+)'?)?"),
            re.compile(r"(?P<who>\S+@\S+\.iam\.gserviceaccount\.com) does not have (?P<action>[\w.]+) access"),
            re.compile(r"\b(?P<code>PERMISSION_DENIED)\b|insufficient authentication scopes"),
        ),
        "Grant the Google service account the role holding that permission (and bind the Kubernetes service "
        "account to it with Workload Identity)",
    ),
    _Denial(
        "Azure",
        (
            re.compile(
                r"client '(?P<who>[^']+)'.*?does not have authorization to perform action '(?P<action>[^']+)' "
                r"over scope '(?P<resource>[^']+)'"
            ),
            re.compile(
                r"does not have authorization to perform action '(?P<action>[^']+)' over scope '(?P<resource>[^']+)'"
            ),
            re.compile(r"\b(?P<code>AuthorizationFailed|AuthorizationPermissionMismatch)\b"),
            re.compile(r"not authorized to perform this operation using this permission"),
        ),
        "Add a role assignment for the workload's managed identity (Azure Workload Identity) covering that action "
        "and scope",
    ),
)
# The words every phrasing above holds: one cheap pass over the logs finds the lines, then each cloud's
# phrasings say whose denial a line is and what it names.
_DENIAL_WORDS = re.compile(
    r"not authorized|AccessDenied|UnauthorizedOperation|AuthorizationError|Permission '|does not have"
    r"|PERMISSION_DENIED|insufficient authentication scopes|AuthorizationFailed|AuthorizationPermissionMismatch"
)
_CREDENTIALS = re.compile(
    r"Unable to locate credentials|NoCredentialProviders|InvalidClientTokenId|ExpiredToken(?:Exception)?"
    r"|The security token included in the request is (?:invalid|expired)|could not find default credentials"
    r"|DefaultAzureCredential failed",
)


def cloud_permission_denied(evidence: Evidence) -> Finding | None:
    candidates = find(runtime(evidence), _DENIAL_WORDS)
    for denial in _DENIALS:
        hits = [h for h in candidates if denial.search(h.line)]
        if not hits:
            continue
        cause = (
            f"The workload's cloud identity is denied by {denial.cloud} IAM{_what_denied(denial, hits[0].line)}: "
            "it lacks a permission it needs."
        )
        return cause_finding(evidence, "cloud_permission_denied", cause, hits, 0.88, denial.tip)
    missing = find(runtime(evidence), _CREDENTIALS)
    if missing:
        cause = (
            "The workload has no valid cloud credentials (none found, or an invalid or expired token), so its "
            "calls to the cloud's APIs fail."
        )
        tip = "Give the pod a cloud identity (IRSA / Pod Identity, Workload Identity) instead of static keys"
        return cause_finding(evidence, "cloud_permission_denied", cause, missing, 0.85, tip)
    return None


def _what_denied(denial: _Denial, line: str) -> str:
    """`: `arn:...` may not perform `s3:GetObject` on `arn:...` (AccessDenied)`, from what the line names."""
    named: dict[str, str] = {}
    for phrasing in denial.phrasings:
        match = phrasing.search(line)
        if match:
            named.update({k: v for k, v in match.groupdict().items() if v and k not in named})
    parts = []
    if named.get("who"):
        parts.append(f"`{named['who']}`")
    if named.get("action"):
        parts.append(f"may not perform `{named['action']}`")
    if named.get("resource"):
        parts.append(f"on `{named['resource']}`")
    code = f" ({named['code']})" if named.get("code") else ""
    return f": {' '.join(parts)}{code}" if parts else code


_PERMISSION = re.compile(r"permission denied|EACCES|operation not permitted|read-only file system", re.IGNORECASE)


def permission_denied(evidence: Evidence) -> Finding | None:
    """A file or system call the process may not make (not an API's permission: those are the rules above)."""
    hits = [h for h in find(runtime(evidence), _PERMISSION) if not _RBAC.search(h.line) and not _cloud(h.line)]
    if not hits:
        return None
    cause = "The process is denied access to a file or operation (permission denied)."
    tips = (
        "Check the user the container runs as (securityContext runAsUser/fsGroup) against file ownership",
        "Writable paths on a read-only root filesystem need an emptyDir or volume mount",
    )
    return cause_finding(evidence, "permission_denied", cause, hits, 0.75, *tips)


def _cloud(line: str) -> bool:
    return bool(_DENIAL_WORDS.search(line)) and any(denial.search(line) for denial in _DENIALS)
