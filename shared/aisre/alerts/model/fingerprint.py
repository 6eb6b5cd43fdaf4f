"""Alert identity: the key that makes a re-fired alert fold into the incident it already opened."""

from __future__ import annotations

import hashlib


def identity_fingerprint(
    *,
    source: str,
    title: str,
    service: str | None = None,
    namespace: str | None = None,
    deployment: str | None = None,
    pod: str | None = None,
) -> str:
    """A stable fingerprint from what identifies an alert, never from text that changes per firing.

    Descriptions, values and timestamps are left out on purpose: "CPU at 91%" and "CPU at 93%" are the
    same alert firing twice. Case and surrounding space are folded so cosmetic changes do not split it.
    """
    parts = (source, title, service, namespace, deployment, pod)
    canonical = "\x1f".join((part or "").strip().lower() for part in parts)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:32]
