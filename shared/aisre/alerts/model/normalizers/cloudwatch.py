"""CloudWatch alarm state changes: SNS notifications, bare alarm JSON, and EventBridge events."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from aisre.alerts.model.normalizers._common import (
    build_alert,
    get_list,
    get_mapping,
    get_mappings,
    get_text,
    kubernetes_fields,
    parse_time,
    require_mapping,
)
from aisre.alerts.model.severity import parse_severity
from aisre.core.errors import PayloadError
from aisre.incidents.model.alert import Alert, AlertStatus, Severity

PROVIDER = "cloudwatch"
SOURCE = "cloudwatch"

# Dimensions that name the service an alarm watches, most specific first.
_SERVICE_DIMENSIONS = (
    "ServiceName",
    "FunctionName",
    "DBInstanceIdentifier",
    "ClusterName",
    "LoadBalancer",
    "QueueName",
    "TableName",
    "TargetGroup",
    "AutoScalingGroupName",
)
# Severity words in alarm names and descriptions. Deliberately narrower than parse_severity: "high",
# "low", "error" and "ok" are common in alarm names ("high-latency", "low-disk") without naming a level.
_SEVERITY_WORDS = frozenset({"critical", "crit", "fatal", "emergency", "major", "warning", "warn", "minor", "info"})
_SEVERITY_CODE = re.compile(r"^(?:sev|p)([0-5])$")
_SPACED_SEV = re.compile(r"(?:severity|sev)[^a-z0-9]*([0-5])")  # "SEV-2", "severity: 2" -> "sev2"


def normalize(payload: Any) -> list[Alert]:
    body = require_mapping(payload, PROVIDER)
    if "Message" in body and ("Type" in body or "TopicArn" in body):
        return _sns(body)
    return [_read(body, "")]


def _read(body: Mapping[str, Any], path: str, subject: str | None = None, sent_at: str | None = None) -> Alert:
    """An alarm in whichever shape arrived: EventBridge event or CloudWatch's alarm JSON."""
    if "detail" in body and ("detail-type" in body or body.get("source") == "aws.cloudwatch"):
        return _alarm(_from_event(body, path), path, subject, sent_at)
    if "AlarmName" not in body:
        field = f"{path}.AlarmName" if path else "AlarmName"
        raise PayloadError("cloudwatch payload is not an alarm state change (no AlarmName)", field=field)
    return _alarm(body, path, subject, sent_at)


def _sns(envelope: Mapping[str, Any]) -> list[Alert]:
    if (get_text(envelope, "Type") or "Notification") != "Notification":
        # SubscriptionConfirmation and UnsubscribeConfirmation carry no alarm; confirming the
        # subscription is the API layer's job.
        return []
    message: Any = envelope.get("Message")
    if isinstance(message, str):
        try:
            message = json.loads(message)
        except (ValueError, RecursionError) as exc:
            raise PayloadError("SNS Message is not valid JSON", field="Message") from exc
    if not isinstance(message, Mapping):
        raise PayloadError(f"SNS Message must hold a JSON object, got {type(message).__name__}", field="Message")
    # An EventBridge rule with an SNS target delivers the event itself as the Message.
    sent_at = get_text(envelope, "Timestamp")
    return [_read(message, "Message", subject=get_text(envelope, "Subject"), sent_at=sent_at)]


def _alarm(alarm: Mapping[str, Any], path: str, subject: str | None, sent_at: str | None) -> Alert:
    def text(key: str) -> str | None:
        return get_text(alarm, key, path=path)

    name = text("AlarmName")
    description = text("AlarmDescription")
    state = (text("NewStateValue") or "ALARM").upper()
    trigger = get_mapping(alarm, "Trigger", path)
    trigger_path = f"{path}.Trigger" if path else "Trigger"
    dimensions = _dimensions(trigger, trigger_path)
    arn = text("AlarmArn")
    labels = dict(dimensions)
    for label, value in (
        ("metric_name", get_text(trigger, "MetricName", path=trigger_path)),
        ("metric_namespace", get_text(trigger, "Namespace", path=trigger_path)),
        ("region", _arn_region(arn) or text("Region")),
        ("account_id", text("AWSAccountId")),
        ("cloudwatch_state", state),
        ("cloudwatch_previous_state", text("OldStateValue")),
    ):
        if value:
            labels[label] = value
    # SNS's own Timestamp (when it published) stands in for a missing StateChangeTime.
    changed_at = parse_time(text("StateChangeTime")) or parse_time(sent_at)
    resolved = state == "OK"
    kube = kubernetes_fields(labels)
    service = next((dimensions[key] for key in _SERVICE_DIMENSIONS if dimensions.get(key)), None)
    return build_alert(
        provider=PROVIDER,
        source=SOURCE,
        title=name,
        description="\n".join(part for part in (description, text("NewStateReason")) if part),
        severity=_severity(state, name, description),
        status=AlertStatus.RESOLVED if resolved else AlertStatus.FIRING,
        labels=labels,
        annotations={"subject": subject} if subject else {},
        service=service or kube["service"],
        namespace=kube["namespace"],
        pod=kube["pod"],
        deployment=kube["deployment"],
        starts_at=None if resolved else changed_at,
        ends_at=changed_at if resolved else None,
        provider_fingerprint=arn,
        external_id=arn,
    )


def _severity(state: str, name: str | None, description: str | None) -> Severity:
    """INSUFFICIENT_DATA is informational; otherwise a level named in the alarm, else high."""
    if state == "INSUFFICIENT_DATA":
        return Severity.INFO
    for text in (name, description):
        words = _SPACED_SEV.sub(r"sev\1", (text or "").lower())
        for token in re.split(r"[^a-z0-9]+", words):
            if token in _SEVERITY_WORDS:
                return parse_severity(token)
            code = _SEVERITY_CODE.match(token)
            if code:
                return parse_severity(f"sev{code.group(1)}")
    return Severity.HIGH


def _dimensions(trigger: Mapping[str, Any], path: str) -> dict[str, str]:
    """Dimension name -> value, from a single-metric trigger or every metric of a metric-math alarm."""
    lists = [(f"{path}.Dimensions", get_list(trigger, "Dimensions", path))]
    for field, metric in get_mappings(get_list(trigger, "Metrics", path), f"{path}.Metrics"):
        stat = get_mapping(metric, "MetricStat", field)
        inner = get_mapping(stat, "Metric", f"{field}.MetricStat")
        lists.append((f"{field}.MetricStat.Metric.Dimensions", get_list(inner, "Dimensions")))
    out: dict[str, str] = {}
    for list_path, items in lists:
        for field, item in get_mappings(items, list_path):
            # CloudWatch writes these keys in lower case ({"value": ..., "name": ...}).
            key = get_text(item, "name", "Name", path=field)
            value = get_text(item, "value", "Value", path=field)
            if key and value:
                out[key] = value
    return out


def _arn_region(arn: str | None) -> str | None:
    """The region code of arn:aws:cloudwatch:<region>:<account>:alarm:<name>."""
    parts = (arn or "").split(":")
    if len(parts) > 3 and parts[0] == "arn" and parts[3]:
        return parts[3]
    return None


def _from_event(event: Mapping[str, Any], path: str) -> dict[str, Any]:
    """An EventBridge "CloudWatch Alarm State Change" event in the SNS alarm's field names."""
    detail_path = f"{path}.detail" if path else "detail"
    detail = get_mapping(event, "detail", path)
    name = get_text(detail, "alarmName", path=detail_path)
    if not name:
        raise PayloadError("CloudWatch alarm event has no detail.alarmName", field=f"{detail_path}.alarmName")
    state = get_mapping(detail, "state", detail_path)
    previous = get_mapping(detail, "previousState", detail_path)
    config_path = f"{detail_path}.configuration"
    configuration = get_mapping(detail, "configuration", detail_path)
    resources = [item for item in get_list(event, "resources", path) if isinstance(item, str)]
    dimensions: list[dict[str, str]] = []
    metric_name = namespace = None
    metrics = get_list(configuration, "metrics", config_path)
    for field, metric in get_mappings(metrics, f"{config_path}.metrics"):
        inner = get_mapping(get_mapping(metric, "metricStat", field), "metric", f"{field}.metricStat")
        metric_path = f"{field}.metricStat.metric"
        metric_name = metric_name or get_text(inner, "name", path=metric_path)
        namespace = namespace or get_text(inner, "namespace", path=metric_path)
        for key, value in get_mapping(inner, "dimensions", metric_path).items():
            text = get_text({key: value}, key, path=f"{metric_path}.dimensions")
            dimensions.append({"name": str(key), "value": text or ""})
    return {
        "AlarmName": name,
        "AlarmDescription": get_text(configuration, "description", path=config_path),
        "AWSAccountId": get_text(event, "account", path=path),
        "NewStateValue": get_text(state, "value", path=f"{detail_path}.state"),
        "NewStateReason": get_text(state, "reason", path=f"{detail_path}.state"),
        "StateChangeTime": get_text(state, "timestamp", path=f"{detail_path}.state")
        or get_text(event, "time", path=path),
        "Region": get_text(event, "region", path=path),
        "AlarmArn": resources[0] if resources else None,
        "OldStateValue": get_text(previous, "value", path=f"{detail_path}.previousState"),
        "Trigger": {"MetricName": metric_name, "Namespace": namespace, "Dimensions": dimensions},
    }
