"""Unwrapping queue deliveries: an SQS body may be an SNS notification around the alert, or the alert."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

DEFAULT_WORKSPACE = "default"


@dataclass(frozen=True)
class QueuedAlert:
    source: str
    workspace_id: str
    body: bytes


def _attribute(attributes: Mapping[str, Any], *names: str) -> str | None:
    """An attribute's value in SNS's shape ({"Type", "Value"}) or SQS's ({"stringValue"})."""
    for name in names:
        found = attributes.get(name)
        if isinstance(found, Mapping):
            value = found.get("Value", found.get("stringValue"))
            if isinstance(value, str) and value:
                return value
    return None


def unwrap_queued_alert(body: str, sqs_attributes: Mapping[str, Any] | None = None) -> QueuedAlert:
    """The source, workspace and alert bytes of one queue message.

    Attributes name the source (`source`) and workspace (`workspace_id`); a CloudWatch alarm (as SNS or
    EventBridge delivers it) is recognized by shape. An unreadable body is passed on unchanged, so the
    normalizer reports the error and the bytes are dead-lettered as they came.
    """
    attributes: dict[str, Any] = dict(sqs_attributes or {})
    try:
        document = json.loads(body)
    except ValueError:
        return QueuedAlert(_attribute(attributes, "source") or "webhook", _workspace(attributes), body.encode())
    if isinstance(document, dict) and document.get("Type") == "Notification" and "Message" in document:
        sns_attributes = document.get("MessageAttributes")
        if isinstance(sns_attributes, Mapping):
            attributes = {**sns_attributes, **attributes}
        message = document.get("Message")
        source = _attribute(attributes, "source") or ("cloudwatch" if _looks_like_alarm(message) else "webhook")
        # CloudWatch's normalizer reads the envelope itself (Subject, Timestamp); others get the message.
        inner = body if source == "cloudwatch" else str(message)
        return QueuedAlert(source, _workspace(attributes), inner.encode())
    named = _attribute(attributes, "source")
    if named is None:
        named = "cloudwatch" if isinstance(document, dict) and _is_alarm_document(document) else "webhook"
    return QueuedAlert(named, _workspace(attributes), body.encode())


def _workspace(attributes: Mapping[str, Any]) -> str:
    return _attribute(attributes, "workspace_id", "X-Workspace-Id") or DEFAULT_WORKSPACE


def _looks_like_alarm(message: Any) -> bool:
    if not isinstance(message, str):
        return False
    try:
        document = json.loads(message)
    except ValueError:
        return False
    return isinstance(document, dict) and _is_alarm_document(document)


def _is_alarm_document(document: Mapping[str, Any]) -> bool:
    return "AlarmName" in document or document.get("source") == "aws.cloudwatch"
