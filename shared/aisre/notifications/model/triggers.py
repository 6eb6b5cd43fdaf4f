"""Triggers (seed 002 /api/v1/triggers): an event type and conditions (severities, services, labels) that, when an
event matches them, run one action (notify a channel, investigate the incident, run a workflow); each run is kept
in the trigger's history. Parsing a client's trigger names the field at fault; matching is pure."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from aisre.notifications.errors import TriggerConfigError
from aisre.notifications.model.events import SEVERITIES, WEBHOOK_EVENT_NAMES, EventType, NotificationEvent
from aisre.notifications.model.webhooks import WEBHOOK_EVENTS

ANY_EVENT = "*"
# A trigger listens to the platform's event types (incident.opened) or to the outgoing webhooks' names for them
# (incident.created): seed 002's clients know the latter.
TRIGGER_EVENT_TYPES: frozenset[str] = frozenset(kind.value for kind in EventType) | WEBHOOK_EVENTS
MAX_SERVICES = 50
MAX_LABELS = 20
MAX_CONTEXT_KEYS = 40  # a workflow's context holds 50; the event's own fields take the rest
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")


class ActionType(StrEnum):
    NOTIFY = "notify"
    INVESTIGATE = "investigate"
    RUN_WORKFLOW = "run_workflow"


class RunOutcome(StrEnum):
    SUCCEEDED = "succeeded"
    FAILED = "failed"


# The keys each action takes: another is refused, so a typo is a 422 rather than an action that silently differs.
ACTION_KEYS: dict[ActionType, frozenset[str]] = {
    ActionType.NOTIFY: frozenset({"type", "channel_id"}),
    ActionType.INVESTIGATE: frozenset({"type"}),
    ActionType.RUN_WORKFLOW: frozenset({"type", "workflow_id", "dry_run", "context"}),
}
CONDITION_KEYS = ("severity", "service", "labels")

# Where a workflow's context fields come from in an event's labels (Alertmanager's names, then the catalog's).
_CONTEXT_FROM_LABELS: dict[str, tuple[str, ...]] = {
    "namespace": ("namespace",),
    "pod_name": ("pod_name", "pod"),
    "deployment_name": ("deployment_name", "deployment"),
}

ContextValue = str | int | float | bool


@dataclass(frozen=True)
class Conditions:
    """What an event must carry: one of the severities, one of the services, every label with its value. An empty
    condition holds for every event."""

    severities: tuple[str, ...] = ()
    services: tuple[str, ...] = ()
    labels: Mapping[str, str] = field(default_factory=dict)

    def matches(self, event: NotificationEvent) -> bool:
        if self.severities and event.severity not in self.severities:
            return False
        if self.services and event.service not in self.services:
            return False
        return all(event.labels.get(name) == value for name, value in self.labels.items())

    def to_config(self) -> dict[str, Any]:
        """As a client writes it: `severity` a list, `service` one name or a list, `labels` an object."""
        config: dict[str, Any] = {}
        if self.severities:
            config["severity"] = list(self.severities)
        if self.services:
            config["service"] = self.services[0] if len(self.services) == 1 else list(self.services)
        if self.labels:
            config["labels"] = dict(self.labels)
        return config


@dataclass(frozen=True)
class TriggerAction:
    type: ActionType
    channel_id: str | None = None
    workflow_id: str | None = None
    # A workflow run is a dry run unless the trigger says otherwise: a real run still waits for approvals.
    dry_run: bool = True
    context: Mapping[str, ContextValue] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        shaped: dict[str, Any] = {"type": self.type.value}
        if self.type is ActionType.NOTIFY:
            shaped["channel_id"] = self.channel_id
        elif self.type is ActionType.RUN_WORKFLOW:
            shaped.update(workflow_id=self.workflow_id, dry_run=self.dry_run)
            if self.context:
                shaped["context"] = dict(self.context)
        return shaped


@dataclass(frozen=True)
class Trigger:
    id: str
    workspace_id: str
    name: str
    # The event it listens to: a platform event type, a webhook event name, or "*" for every event but tests.
    event_type: str
    conditions: Conditions
    action: TriggerAction
    enabled: bool = True
    description: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    created_by: str | None = None
    version: int = 1

    def matches(self, event: NotificationEvent) -> bool:
        return self.enabled and listens_to(self.event_type, event) and self.conditions.matches(event)


@dataclass(frozen=True)
class TriggerRun:
    """One run of a trigger's action, as its history lists it."""

    id: str
    workspace_id: str
    trigger_id: str
    at: datetime
    event_id: str
    event_type: str
    incident_id: str | None
    action: Mapping[str, Any]
    outcome: RunOutcome
    detail: str = ""
    error: str | None = None
    # What the action made: the queued delivery's id, the investigated incident, the workflow run's id.
    reference: str | None = None


def listens_to(event_type: str, event: NotificationEvent) -> bool:
    """Whether a trigger of `event_type` hears `event`. "*" hears every event but a test notification: testing a
    channel must not start investigations or workflows."""
    if event_type == ANY_EVENT:
        return event.event_type is not EventType.TEST
    return event_type in (event.event_type.value, WEBHOOK_EVENT_NAMES.get(event.event_type))


def parse_event_type(value: Any) -> str:
    if value == ANY_EVENT or (isinstance(value, str) and value in TRIGGER_EVENT_TYPES):
        return str(value)
    allowed = ", ".join(sorted(TRIGGER_EVENT_TYPES))
    raise TriggerConfigError(
        f"type: {value!r} is not an event type (one of {allowed}, or {ANY_EVENT!r} for every event)", field="type"
    )


def parse_conditions(config: Any) -> Conditions:
    """A client's `config`: {"severity": [...], "service": "..." or [...], "labels": {...}}, every key optional."""
    if config is None:
        return Conditions()
    if not isinstance(config, Mapping):
        raise TriggerConfigError("config must be an object: severity, service, labels", field="config")
    for key in config:
        if key not in CONDITION_KEYS:
            raise TriggerConfigError(
                f"config takes no key {key!r} (known: {', '.join(CONDITION_KEYS)})", field=f"config.{key}"
            )
    severities = _names(config.get("severity"), "config.severity", allowed=SEVERITIES, limit=len(SEVERITIES))
    services = _names(config.get("service"), "config.service", limit=MAX_SERVICES)
    return Conditions(severities, services, _labels(config.get("labels")))


def parse_action(action: Any) -> TriggerAction:
    if not isinstance(action, Mapping):
        raise TriggerConfigError("action must be an object with a type", field="action")
    try:
        kind = ActionType(str(action.get("type")))
    except ValueError:
        allowed = ", ".join(kind.value for kind in ActionType)
        raise TriggerConfigError(
            f"action.type: {action.get('type')!r} is not an action (one of {allowed})", field="action.type"
        ) from None
    for key in action:
        if key not in ACTION_KEYS[kind]:
            known = ", ".join(sorted(ACTION_KEYS[kind]))
            raise TriggerConfigError(
                f"a {kind.value} action takes no key {key!r} (known: {known})", field=f"action.{key}"
            )
    if kind is ActionType.NOTIFY:
        return TriggerAction(kind, channel_id=_identifier(action.get("channel_id"), "action.channel_id"))
    if kind is ActionType.INVESTIGATE:
        return TriggerAction(kind)
    dry_run = action.get("dry_run", True)
    if not isinstance(dry_run, bool):
        raise TriggerConfigError("action.dry_run must be true or false", field="action.dry_run")
    return TriggerAction(
        kind,
        workflow_id=_identifier(action.get("workflow_id"), "action.workflow_id"),
        dry_run=dry_run,
        context=_context(action.get("context")),
    )


def workflow_context(event: NotificationEvent, given: Mapping[str, ContextValue]) -> dict[str, ContextValue]:
    """The context a triggered workflow runs with: the event's service and the workload its labels name
    (namespace, pod, deployment), then the trigger's own context over them."""
    context: dict[str, ContextValue] = {}
    if event.service:
        context["service"] = event.service
    for name, label_names in _CONTEXT_FROM_LABELS.items():
        found = next((event.labels[label] for label in label_names if event.labels.get(label)), None)
        if found is not None:
            context[name] = found
    context.update(given)
    return context


def _names(value: Any, where: str, *, limit: int, allowed: Sequence[str] = ()) -> tuple[str, ...]:
    if value is None or value == []:
        return ()
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list):
        raise TriggerConfigError(f"{where} must be a name or a list of names", field=where)
    if len(items) > limit:
        raise TriggerConfigError(f"{where}: at most {limit} names", field=where)
    names: list[str] = []
    for index, item in enumerate(items):
        at = where if isinstance(value, str) else f"{where}[{index}]"
        if not isinstance(item, str) or not item or len(item) > 200:
            raise TriggerConfigError(f"{at} must be a non-empty name of at most 200 characters", field=at)
        if allowed and item not in allowed:
            raise TriggerConfigError(f"{at}: {item!r} is not one of {', '.join(allowed)}", field=at)
        if item not in names:
            names.append(item)
    return tuple(names)


def _labels(value: Any) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise TriggerConfigError("config.labels must be an object of label names and values", field="config.labels")
    if len(value) > MAX_LABELS:
        raise TriggerConfigError(f"config.labels: at most {MAX_LABELS} labels", field="config.labels")
    labels: dict[str, str] = {}
    for name, wanted in value.items():
        where = f"config.labels.{name}"
        if not isinstance(name, str) or not name or len(name) > 128:
            raise TriggerConfigError("config.labels: a label name is empty or too long", field="config.labels")
        if not isinstance(wanted, str) or len(wanted) > 256:
            raise TriggerConfigError(f"{where} must be text of at most 256 characters", field=where)
        labels[name] = wanted
    return labels


def _identifier(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > 128:
        raise TriggerConfigError(f"{where} is required: an id of at most 128 characters", field=where)
    return value


def _context(value: Any) -> dict[str, ContextValue]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise TriggerConfigError("action.context must be an object of named values", field="action.context")
    if len(value) > MAX_CONTEXT_KEYS:
        raise TriggerConfigError(f"action.context: at most {MAX_CONTEXT_KEYS} fields", field="action.context")
    context: dict[str, ContextValue] = {}
    for key, item in value.items():
        if not isinstance(key, str) or not _IDENTIFIER.match(key):
            raise TriggerConfigError(f"action.context: {key!r} is not a field name", field="action.context")
        usable = isinstance(item, str | int | float | bool) and not (
            isinstance(item, float) and not math.isfinite(item)
        )
        if not usable or (isinstance(item, str) and len(item) > 1024):
            where = f"action.context.{key}"
            raise TriggerConfigError(
                f"{where} must be text (at most 1024 characters), a number or a boolean", field=where
            )
        context[key] = item
    return context
