"""How much of an alert an incident keeps: every field bounded, so no incident or timeline item nears DynamoDB's
400 KB item limit, whatever a sender puts in one alert (a body may be 1 MB, MAX_BODY_BYTES).

Pure. Sizes are UTF-8 bytes, what the store counts. A field cut here ends with TRUNCATION_MARK (text) or is
cut short (names), and is listed in the alert's `truncated_fields`; the intake keeps the payload as received
(alerts' raw payloads), so nothing is lost, only kept elsewhere. Bounding is idempotent: a bounded alert
passes through unchanged, so each layer may bound what it is handed.

The limits, and why:
- title 1 KiB: a one-line summary shown in lists and chat; PagerDuty's Events API caps its summary at
  1,024 characters, so no alert a pager shows is longer.
- description 32 KiB: room for a stack trace or a runbook excerpt; more is a document, not an alert.
- labels: names 256 B, values 1 KiB, 16 KiB in all. Labels are identities (Prometheus keeps them short);
  entries past the total, or with longer names, are dropped (a cut name could collide with another).
- annotations: names 256 B, values 8 KiB, 32 KiB in all: free text, but each one a paragraph at most.
- links: 16, each 2 KiB (URLs past ~2,000 characters break in browsers and proxies).
- service, namespace, pod, deployment 253 B: Kubernetes' longest name (a DNS subdomain). The service is
  also part of a key (its anchor), whose partition key DynamoDB caps at 2,048 bytes.
- source 128 B, external id 256 B: names and ids, never prose.
- fingerprint 512 B: it is a key too. A longer one is replaced by `sha256:<hex>` of itself, the same for
  every repeat, so deduplication stays exact (cutting it could merge two alerts).

Worst case: ~117 KiB of alert fields in the incident item and ~81 KiB in its alert_received event, well
under 400 KB each, and a new incident's transaction (incident, events, claim) stays far below its 4 MB.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping

from aisre.incidents.model.alert import Alert

TRUNCATION_MARK = "…[truncated]"

TITLE_BYTES = 1024
DESCRIPTION_BYTES = 32 * 1024
NAME_BYTES = 256
LABEL_VALUE_BYTES = 1024
LABELS_BYTES = 16 * 1024
ANNOTATION_VALUE_BYTES = 8 * 1024
ANNOTATIONS_BYTES = 32 * 1024
LINKS = 16
LINK_BYTES = 2048
KUBERNETES_NAME_BYTES = 253
SOURCE_BYTES = 128
EXTERNAL_ID_BYTES = 256
FINGERPRINT_BYTES = 512
HASHED_FINGERPRINT_PREFIX = "sha256:"


def utf8_size(text: str) -> int:
    # A character is at most 4 bytes: short text needs no encoding to know it fits.
    return len(text) if text.isascii() else len(text.encode("utf-8"))


def cut(text: str, limit: int) -> str:
    """The longest prefix of `text` within `limit` bytes, whole characters only."""
    if len(text) * 4 <= limit or utf8_size(text) <= limit:
        return text
    return text.encode("utf-8")[:limit].decode("utf-8", "ignore")


def shorten(text: str, limit: int) -> str:
    """`text` within `limit` bytes, ending with TRUNCATION_MARK when it had to be cut."""
    if len(text) * 4 <= limit or utf8_size(text) <= limit:
        return text
    return cut(text, limit - utf8_size(TRUNCATION_MARK)) + TRUNCATION_MARK


def bound_mapping(
    values: Mapping[str, str], field: str, *, value_bytes: int, total_bytes: int, truncated: list[str]
) -> dict[str, str]:
    """Entries in the sender's order, each value shortened, while names and values fit `total_bytes`."""
    kept: dict[str, str] = {}
    used = 0
    dropped = False
    for name, value in values.items():
        short = shorten(value, value_bytes)
        size = utf8_size(name) + utf8_size(short)
        if utf8_size(name) > NAME_BYTES or used + size > total_bytes:
            dropped = True
            continue
        if short != value:
            truncated.append(f"{field}.{name}")
        kept[name] = short
        used += size
    if dropped:
        truncated.append(field)
    return kept


def bound_fingerprint(fingerprint: str) -> str:
    if utf8_size(fingerprint) <= FINGERPRINT_BYTES:
        return fingerprint
    return HASHED_FINGERPRINT_PREFIX + hashlib.sha256(fingerprint.encode("utf-8")).hexdigest()


def surely_fits(alert: Alert) -> bool:
    """True when every field is within its bound even at 4 bytes a character: most alerts, told from their
    lengths alone, without encoding anything (a payload of 1,000 alerts is bounded on the request path)."""
    short = (
        len(alert.title) * 4 <= TITLE_BYTES
        and len(alert.description) * 4 <= DESCRIPTION_BYTES
        and len(alert.fingerprint) * 4 <= FINGERPRINT_BYTES
        and len(alert.source) * 4 <= SOURCE_BYTES
        and len(alert.external_id or "") * 4 <= EXTERNAL_ID_BYTES
        and len(alert.links) <= LINKS
        and all(len(link) * 4 <= LINK_BYTES for link in alert.links)
        and all(
            len(name or "") * 4 <= KUBERNETES_NAME_BYTES
            for name in (alert.service, alert.namespace, alert.pod, alert.deployment)
        )
    )
    return (
        short
        and _mapping_fits(alert.labels, LABEL_VALUE_BYTES, LABELS_BYTES)
        and _mapping_fits(alert.annotations, ANNOTATION_VALUE_BYTES, ANNOTATIONS_BYTES)
    )


def _mapping_fits(values: Mapping[str, str], value_bytes: int, total_bytes: int) -> bool:
    total = 0
    for name, value in values.items():
        if len(name) * 4 > NAME_BYTES or len(value) * 4 > value_bytes:
            return False
        total += (len(name) + len(value)) * 4
    return total <= total_bytes


def bound_alert(alert: Alert) -> Alert:
    """The alert with every field within its bound; the same alert when nothing had to change."""
    return alert if surely_fits(alert) else bound_fields(alert)


def bound_fields(alert: Alert) -> Alert:
    """bound_alert, field by field, measuring each in bytes."""
    truncated: list[str] = []

    def text(field: str, value: str, limit: int) -> str:
        short = shorten(value, limit)
        if short != value:
            truncated.append(field)
        return short

    def name(field: str, value: str | None, limit: int) -> str | None:
        if value is None:
            return None
        short = cut(value, limit)
        if short != value:
            truncated.append(field)
        return short

    links = [text(f"links[{index}]", link, LINK_BYTES) for index, link in enumerate(alert.links[:LINKS])]
    if len(alert.links) > LINKS:
        truncated.append("links")
    fingerprint = bound_fingerprint(alert.fingerprint)
    if fingerprint != alert.fingerprint:
        truncated.append("fingerprint")
    bounded = {
        "title": text("title", alert.title, TITLE_BYTES),
        "description": text("description", alert.description, DESCRIPTION_BYTES),
        "labels": bound_mapping(
            alert.labels, "labels", value_bytes=LABEL_VALUE_BYTES, total_bytes=LABELS_BYTES, truncated=truncated
        ),
        "annotations": bound_mapping(
            alert.annotations,
            "annotations",
            value_bytes=ANNOTATION_VALUE_BYTES,
            total_bytes=ANNOTATIONS_BYTES,
            truncated=truncated,
        ),
        "links": links,
        "service": name("service", alert.service, KUBERNETES_NAME_BYTES),
        "namespace": name("namespace", alert.namespace, KUBERNETES_NAME_BYTES),
        "pod": name("pod", alert.pod, KUBERNETES_NAME_BYTES),
        "deployment": name("deployment", alert.deployment, KUBERNETES_NAME_BYTES),
        "source": name("source", alert.source, SOURCE_BYTES) or alert.provider,
        "external_id": name("external_id", alert.external_id, EXTERNAL_ID_BYTES),
        "fingerprint": fingerprint,
    }
    if not truncated:
        return alert
    return alert.model_copy(
        update={**bounded, "truncated_fields": list(dict.fromkeys([*alert.truncated_fields, *truncated]))}
    )
