"""Helpers every normalizer shares: lenient time parsing, field access, labels, Kubernetes fields, alerts."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from aisre.alerts.model.fingerprint import identity_fingerprint
from aisre.core.errors import PayloadError, ValidationError
from aisre.incidents.model.alert import Alert, AlertStatus, FingerprintKind, Severity

# Alertmanager and Grafana send Go's zero time for "no end".
_GO_ZERO_YEAR = 1

# Epoch magnitudes: seconds until the year ~5000, then milliseconds, microseconds, nanoseconds.
_EPOCH_S_MAX = 10**11
_EPOCH_MS_MAX = 10**14
_EPOCH_US_MAX = 10**17


def parse_time(value: Any) -> datetime | None:
    """A timezone-aware UTC datetime from ISO 8601 text or an epoch number in s, ms, us or ns.

    None, empty text, Go's zero time and values that cannot be read are "no time": normalizers are
    lenient, and a missing optional timestamp must not reject an alert.
    """
    if value is None or value == "" or isinstance(value, bool):
        return None
    if isinstance(value, int | float) or (isinstance(value, str) and _is_number(value)):
        try:
            number = float(value)
        except OverflowError:  # an int too large for a float is no time anyone meant
            return None
        if number <= 0:
            return None
        magnitude = abs(number)
        if magnitude < _EPOCH_S_MAX:
            seconds = number
        elif magnitude < _EPOCH_MS_MAX:
            seconds = number / 1e3
        elif magnitude < _EPOCH_US_MAX:
            seconds = number / 1e6
        else:
            seconds = number / 1e9
        try:
            return datetime.fromtimestamp(seconds, tz=UTC)
        except (OverflowError, OSError, ValueError):
            return None
    if not isinstance(value, str):
        return None
    text = value.strip()
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    text = _trim_fraction(text)
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    if parsed.year <= _GO_ZERO_YEAR:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    try:
        return parsed.astimezone(UTC)
    except OverflowError:  # e.g. 9999-12-31T23:59:59-05:00 is past datetime.max in UTC
        return None


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _trim_fraction(text: str) -> str:
    """Cut fractional seconds to 6 digits: Go writes nanoseconds, Python reads at most microseconds."""
    dot = text.find(".")
    if dot == -1:
        return text
    end = dot + 1
    while end < len(text) and text[end].isdigit():
        end += 1
    return text[: min(end, dot + 7)] + text[end:]


def str_dict(value: Any) -> dict[str, str]:
    """A mapping of strings from whatever the provider sent (None, numbers, nested values)."""
    if not isinstance(value, Mapping):
        return {}
    out: dict[str, str] = {}
    for key, item in value.items():
        if item is None:
            continue
        out[str(key)] = item if isinstance(item, str) else _to_text(item)
    return out


def _to_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | str):
        return str(value)
    import json

    return json.dumps(value, sort_keys=True, default=str)


def tags_to_labels(tags: Any) -> dict[str, str]:
    """Tags as labels: "key:value" or "key=value" pairs, a bare tag becomes a label valued "true".

    Accepts a list of tags or one comma-separated string (Datadog's $TAGS, Opsgenie's tags).
    """
    if isinstance(tags, str):
        items: Iterable[Any] = (part for part in tags.split(","))
    elif isinstance(tags, Iterable) and not isinstance(tags, Mapping):
        items = tags
    elif isinstance(tags, Mapping):
        return str_dict(tags)
    else:
        return {}
    labels: dict[str, str] = {}
    for item in items:
        tag = str(item).strip()
        if not tag:
            continue
        for separator in (":", "="):
            if separator in tag:
                key, _, val = tag.partition(separator)
                labels[key.strip()] = val.strip()
                break
        else:
            labels[tag] = "true"
    return labels


def first(mapping: Mapping[str, Any], *keys: str) -> str | None:
    """The first non-empty value among `keys`, as text."""
    for key in keys:
        value = mapping.get(key)
        if value not in (None, ""):
            return str(value)
    return None


def _field_name(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def get_mapping(container: Mapping[str, Any], key: str, path: str = "") -> Mapping[str, Any]:
    """container[key] as an object: empty when absent or null, a ValidationError naming it otherwise."""
    value = container.get(key)
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        field = _field_name(path, key)
        raise ValidationError(f"{field} must be an object, got {type(value).__name__}", field=field)
    return value


def get_list(container: Mapping[str, Any], key: str, path: str = "") -> list[Any]:
    """container[key] as a list: empty when absent or null, a ValidationError naming it otherwise."""
    value = container.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        field = _field_name(path, key)
        raise ValidationError(f"{field} must be a list, got {type(value).__name__}", field=field)
    return value


def get_mappings(items: list[Any], path: str) -> list[tuple[str, Mapping[str, Any]]]:
    """Each item of a list of objects with its field name ("alerts[2]"); a non-object item is a
    ValidationError naming it."""
    out: list[tuple[str, Mapping[str, Any]]] = []
    for index, item in enumerate(items):
        field = f"{path}[{index}]"
        if not isinstance(item, Mapping):
            raise ValidationError(f"{field} must be an object, got {type(item).__name__}", field=field)
        out.append((field, item))
    return out


def get_text(container: Mapping[str, Any], *keys: str, path: str = "") -> str | None:
    """The first non-blank value among `keys` as stripped text. Numbers and booleans are read as text;
    an object or list where text belongs is a ValidationError naming the field."""
    for key in keys:
        value = container.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        if isinstance(value, Mapping | list):
            field = _field_name(path, key)
            raise ValidationError(f"{field} must be text, got {type(value).__name__}", field=field)
        return _to_text(value).strip()
    return None


def get_links(container: Mapping[str, Any], key: str, path: str = "") -> list[str]:
    """Links given as one URL, a list of URLs, or a list of {href} / {url} objects (PagerDuty's shape)."""
    value = container.get(key)
    if value is None or isinstance(value, str):
        return [value.strip()] if value and value.strip() else []
    links: list[str] = []
    for index, item in enumerate(get_list(container, key, path)):
        if isinstance(item, Mapping):
            link = get_text(item, "href", "url", path=f"{_field_name(path, key)}[{index}]")
        elif isinstance(item, str):
            link = item.strip()
        else:
            field = f"{_field_name(path, key)}[{index}]"
            raise ValidationError(
                f"{field} must be a URL or an object with href, got {type(item).__name__}", field=field
            )
        if link:
            links.append(link)
    return links


def kubernetes_fields(labels: Mapping[str, str]) -> dict[str, str | None]:
    """service, namespace, pod and deployment read from the label names Prometheus, kube-state-metrics,
    Datadog and Grafana use."""
    namespace = first(labels, "namespace", "kube_namespace", "k8s.namespace.name", "exported_namespace")
    pod = first(labels, "pod", "pod_name", "kube_pod", "k8s.pod.name", "exported_pod")
    deployment = first(labels, "deployment", "kube_deployment", "k8s.deployment.name")
    service = first(
        labels,
        "service",
        "service_name",
        "app",
        "app_kubernetes_io_name",
        "app.kubernetes.io/name",
        "k8s-app",
        "kube_service",
        "job_name",
    )
    return {
        "service": service or deployment,
        "namespace": namespace,
        "pod": pod,
        "deployment": deployment,
    }


def build_alert(
    *,
    provider: str,
    title: str | None,
    source: str | None = None,
    description: str | None = None,
    severity: Severity = Severity.WARNING,
    status: AlertStatus = AlertStatus.FIRING,
    labels: Mapping[str, str] | None = None,
    annotations: Mapping[str, str] | None = None,
    service: str | None = None,
    namespace: str | None = None,
    pod: str | None = None,
    deployment: str | None = None,
    starts_at: datetime | None = None,
    ends_at: datetime | None = None,
    links: Iterable[str] = (),
    provider_fingerprint: str | None = None,
    identity_title: str | None = None,
    external_id: str | None = None,
) -> Alert:
    """An Alert with the fingerprint rule applied: the provider's own, as given, when it has one;
    otherwise the identity fingerprint, computed from `identity_title` (the alert's name, e.g. the
    alertname label) when given, else from the title. A payload with no title fits no alert shape."""
    clean_title = (title or "").strip()
    if not clean_title:
        raise PayloadError(f"{provider} payload has no alert title", field="title")
    origin = (source or provider).strip() or provider
    fingerprint_kind: FingerprintKind
    if provider_fingerprint not in (None, ""):
        fingerprint = str(provider_fingerprint)
        fingerprint_kind = "provider"
    else:
        fingerprint = identity_fingerprint(
            source=origin,
            title=(identity_title or clean_title),
            service=service,
            namespace=namespace,
            deployment=deployment,
            pod=pod,
        )
        fingerprint_kind = "identity"
    return Alert(
        provider=provider,
        source=origin,
        title=clean_title,
        description=(description or "").strip(),
        severity=severity,
        status=status,
        labels=dict(labels or {}),
        annotations=dict(annotations or {}),
        service=service or None,
        namespace=namespace or None,
        pod=pod or None,
        deployment=deployment or None,
        starts_at=starts_at,
        ends_at=ends_at,
        links=[link for link in links if link],
        fingerprint=fingerprint,
        fingerprint_kind=fingerprint_kind,
        external_id=external_id,
    )


def require_mapping(payload: Any, provider: str) -> Mapping[str, Any]:
    """The payload as a JSON object, or a PayloadError naming what was sent instead."""
    if not isinstance(payload, Mapping):
        raise PayloadError(f"{provider} payload must be a JSON object, got {type(payload).__name__}", field="body")
    return payload
