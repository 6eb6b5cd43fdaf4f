"""TriggerService: a workspace's triggers (seed 002 /api/v1/triggers) and what they do when an event matches one
(`on_event`, which the dispatcher calls for every event): the action runs, and the run is kept in the trigger's
history with what it made or why it failed. A workspace's triggers are remembered a few seconds, so an event of a
workspace without triggers costs one Query per few seconds, not one per event."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from aisre.core.clock import utc_now
from aisre.core.errors import AisreError, NotFoundError, ValidationError
from aisre.core.observability import logger
from aisre.notifications.errors import TriggerConfigError
from aisre.notifications.model.events import NotificationEvent
from aisre.notifications.model.triggers import (
    ActionType,
    RunOutcome,
    Trigger,
    TriggerAction,
    TriggerRun,
    parse_action,
    parse_conditions,
    parse_event_type,
    workflow_context,
)
from aisre.notifications.ports import TriggerActions, TriggerStore
from aisre.notifications.service.hooks_bounds import check_room
from aisre.notifications.service.hooks_cache import RecentCache

# on_event reads a workspace's triggers whole: a bound keeps that one small Query.
MAX_TRIGGERS = 100
LOOKUP_SECONDS = 5.0
MAX_ERROR_CHARS = 1000


def new_trigger_id() -> str:
    return f"trg-{secrets.token_hex(6)}"


def new_run_id() -> str:
    return f"trr-{secrets.token_hex(8)}"


@dataclass(frozen=True)
class TriggerChanges:
    """A PUT's fields; None leaves a field as it is (`config` and `action` are replaced whole when given)."""

    name: str | None = None
    type: str | None = None
    config: Mapping[str, Any] | None = None
    action: Mapping[str, Any] | None = None
    enabled: bool | None = None
    description: str | None = None


class TriggerService:
    def __init__(
        self,
        store: TriggerStore,
        actions: TriggerActions,
        *,
        retention: timedelta,
        clock: Callable[[], datetime] = utc_now,
        lookup_seconds: float = LOOKUP_SECONDS,
    ):
        self._store = store
        self._actions = actions
        self._retention = retention
        self._clock = clock
        self._triggers: RecentCache[list[Trigger]] = RecentCache(lookup_seconds)

    # -- the API ---------------------------------------------------------------------------------------------------

    def create(
        self,
        workspace_id: str,
        principal: str,
        *,
        name: str,
        type: str,
        config: Mapping[str, Any] | None,
        action: Mapping[str, Any],
        enabled: bool = True,
        description: str | None = None,
    ) -> Trigger:
        event_type = parse_event_type(type)
        conditions = parse_conditions(config)
        parsed = parse_action(action)
        self._check_targets(workspace_id, parsed)
        check_room(self._store.list_triggers(workspace_id, MAX_TRIGGERS), MAX_TRIGGERS, "triggers")
        now = self._clock()
        trigger = Trigger(
            id=new_trigger_id(),
            workspace_id=workspace_id,
            name=name,
            event_type=event_type,
            conditions=conditions,
            action=parsed,
            enabled=enabled,
            description=description or None,
            created_at=now,
            updated_at=now,
            created_by=principal,
        )
        self._store.create_trigger(trigger)
        self._triggers.forget(workspace_id)
        return trigger

    def list_triggers(self, workspace_id: str | None) -> list[Trigger]:
        return self._store.list_triggers(workspace_id, MAX_TRIGGERS)

    def get(self, workspace_id: str | None, trigger_id: str) -> Trigger:
        return self._store.get_trigger(workspace_id, trigger_id)

    def update(self, workspace_id: str | None, trigger_id: str, changes: TriggerChanges) -> Trigger:
        current = self._store.get_trigger(workspace_id, trigger_id)
        updated = current
        if changes.name is not None:
            updated = replace(updated, name=changes.name)
        if changes.type is not None:
            updated = replace(updated, event_type=parse_event_type(changes.type))
        if changes.config is not None:
            updated = replace(updated, conditions=parse_conditions(changes.config))
        if changes.action is not None:
            updated = replace(updated, action=parse_action(changes.action))
            self._check_targets(current.workspace_id, updated.action)
        if changes.enabled is not None:
            updated = replace(updated, enabled=changes.enabled)
        if changes.description is not None:
            updated = replace(updated, description=changes.description or None)
        return self._replace(current, updated)

    def toggle(self, workspace_id: str | None, trigger_id: str, enabled: bool | None = None) -> Trigger:
        """Enabled becomes disabled and back; `enabled` sets it instead (the same answer when sent twice)."""
        current = self._store.get_trigger(workspace_id, trigger_id)
        wanted = (not current.enabled) if enabled is None else enabled
        return self._replace(current, replace(current, enabled=wanted))

    def delete(self, workspace_id: str | None, trigger_id: str) -> Trigger:
        trigger = self._store.get_trigger(workspace_id, trigger_id)
        self._store.delete_trigger(trigger)
        self._triggers.forget(trigger.workspace_id)
        return trigger

    def history(self, workspace_id: str | None, trigger_id: str, limit: int) -> tuple[Trigger, list[TriggerRun]]:
        """The trigger's runs, newest first (kept NOTIFICATION_RETENTION_DAYS)."""
        trigger = self._store.get_trigger(workspace_id, trigger_id)
        return trigger, self._store.list_runs(trigger.workspace_id, trigger.id, limit)

    # -- events ----------------------------------------------------------------------------------------------------

    def on_event(self, event: NotificationEvent) -> None:
        """Run the action of every enabled trigger of the event's workspace that matches it. Never raises: a
        trigger that fails says so in its history, and the others still run."""
        workspace_id = event.workspace_id
        try:
            triggers = self._triggers.get(workspace_id, lambda: self._store.list_triggers(workspace_id, MAX_TRIGGERS))
        except Exception:
            logger.exception("could not read the triggers of workspace %s", workspace_id)
            return
        for trigger in triggers:
            if trigger.matches(event):
                self._fire(trigger, event)

    def _fire(self, trigger: Trigger, event: NotificationEvent) -> None:
        at = self._clock()
        detail, reference, error = "", None, None
        try:
            detail, reference = self._act(trigger, event)
        except AisreError as failure:
            error = f"{type(failure).__name__}: {failure.message[:MAX_ERROR_CHARS]}"
        except Exception as failure:  # the run records it; the dispatcher goes on with the other triggers
            logger.exception("trigger %s failed on event %s", trigger.id, event.event_id)
            error = f"{type(failure).__name__}: {str(failure)[:MAX_ERROR_CHARS]}"
        run = TriggerRun(
            id=new_run_id(),
            workspace_id=trigger.workspace_id,
            trigger_id=trigger.id,
            at=at,
            event_id=event.event_id,
            event_type=event.event_type.value,
            incident_id=event.incident_id,
            action=trigger.action.to_dict(),
            outcome=RunOutcome.FAILED if error else RunOutcome.SUCCEEDED,
            detail=detail,
            error=error,
            reference=reference,
        )
        try:
            self._store.add_run(run, at + self._retention)
        except Exception:
            logger.exception("could not record the run of trigger %s", trigger.id)

    def _act(self, trigger: Trigger, event: NotificationEvent) -> tuple[str, str | None]:
        """What the action made: a sentence for the history, and its id."""
        action, workspace_id = trigger.action, trigger.workspace_id
        if action.type is ActionType.NOTIFY:
            assert action.channel_id is not None
            delivery_id = self._actions.notify(workspace_id, action.channel_id, event)
            return f"queued delivery {delivery_id} to channel {action.channel_id}", delivery_id
        if action.type is ActionType.INVESTIGATE:
            if not event.incident_id:
                raise ValidationError(f"a {event.event_type.value} event names no incident to investigate")
            self._actions.investigate(workspace_id, event.incident_id, reason=f"trigger:{trigger.id}")
            return f"queued the investigation of incident {event.incident_id}", event.incident_id
        assert action.workflow_id is not None
        run_id = self._actions.run_workflow(
            workspace_id,
            action.workflow_id,
            workflow_context(event, action.context),
            f"trigger:{trigger.id}",
            dry_run=action.dry_run,
            incident_id=event.incident_id,
        )
        kind = "a dry run" if action.dry_run else "a run"
        return f"started {kind} of workflow {action.workflow_id}: {run_id}", run_id

    # -- helpers ---------------------------------------------------------------------------------------------------

    def _check_targets(self, workspace_id: str, action: TriggerAction) -> None:
        """The channel or workflow an action names exists in the workspace (422 naming the field otherwise)."""
        try:
            if action.type is ActionType.NOTIFY:
                assert action.channel_id is not None
                self._actions.check_channel(workspace_id, action.channel_id)
            elif action.type is ActionType.RUN_WORKFLOW:
                assert action.workflow_id is not None
                self._actions.check_workflow(workspace_id, action.workflow_id)
        except NotFoundError as missing:
            where = "action.channel_id" if action.type is ActionType.NOTIFY else "action.workflow_id"
            raise TriggerConfigError(f"{where}: {missing.message}", field=where) from None

    def _replace(self, current: Trigger, updated: Trigger) -> Trigger:
        updated = replace(updated, updated_at=self._clock(), version=current.version + 1)
        self._store.replace_trigger(updated, current.version)
        self._triggers.forget(current.workspace_id)
        return updated
