"""The notifications' parts, each built on first ask (core/scope.py)."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import TYPE_CHECKING

from aisre.core.providers import configured_table, table_connection
from aisre.core.scope import Scope
from aisre.incidents.providers import incident_service

if TYPE_CHECKING:
    from aisre.notifications.model.events import NotificationEvent
    from aisre.notifications.ports import (
        CalendarWriter,
        Dispatch,
        EscalationMachine,
        EscalationPages,
        OnCall,
    )
    from aisre.notifications.service.escalation import EscalationService
    from aisre.notifications.service.escalation_policies import EscalationPolicyService
    from aisre.notifications.service.oncall import OnCallService
    from aisre.notifications.store.oncall_store import DynamoOnCallStore

logger = logging.getLogger(__name__)


# On-call and escalation ----------------------------------------------------------------------------------------


def oncall_store(scope: Scope) -> DynamoOnCallStore:
    """ScheduleStore and PolicyStore in one: a policy's transaction writes on its schedules."""
    from aisre.notifications.store.oncall_store import DynamoOnCallStore

    scope.get(configured_table)
    return DynamoOnCallStore(scope.get(table_connection))


def escalation_pages(scope: Scope) -> EscalationPages:
    from aisre.core.clock import utc_now
    from aisre.notifications.store.escalation_pages import DynamoEscalationPages

    scope.get(configured_table)
    return DynamoEscalationPages(utc_now, retention=timedelta(days=scope.settings.notification_retention_days))


def calendar_writer(scope: Scope) -> CalendarWriter:
    from aisre.notifications.adapters.ical import ICalendarWriter

    return ICalendarWriter()


def oncall_service(scope: Scope) -> OnCallService:
    from aisre.notifications.service.oncall import OnCallService

    return OnCallService(scope.get(oncall_store), scope.get(calendar_writer))


def escalation_policy_service(scope: Scope) -> EscalationPolicyService:
    from aisre.notifications.service.escalation_policies import EscalationPolicyService

    store = scope.get(oncall_store)
    return EscalationPolicyService(store, store)


def oncall(scope: Scope) -> OnCall:
    """OnCall (ports.py) for the dispatcher: who a service's policy pages first, now."""
    return scope.get(escalation_policy_service)


def escalation_machine(scope: Scope) -> EscalationMachine | None:
    """The escalation state machine (ESCALATION_STATE_MACHINE_ARN); None where none is configured."""
    from aisre.notifications.adapters.escalation_machine import StepFunctionsEscalations

    settings = scope.settings
    if not settings.escalation_state_machine_arn:
        return None
    return StepFunctionsEscalations(
        settings.aws_region, settings.aws_endpoint_url, settings.escalation_state_machine_arn
    )


class _UnwiredDispatch:
    """Stands in until the dispatcher is composed (the integrator points `escalation_dispatch` at it): a page is
    logged, on the incident's timeline, and sent nowhere."""

    def dispatch(self, event: NotificationEvent) -> None:
        logger.warning(
            "no dispatcher composed: page not sent",
            extra={"incident_id": event.incident_id, "recipients": list(event.recipients)},
        )


def escalation_dispatch(scope: Scope) -> Dispatch:
    """Where an escalation's pages go: the notifications' dispatcher (routing, in-app inboxes, webhooks)."""
    return _UnwiredDispatch()


def escalation_service(scope: Scope) -> EscalationService:
    from aisre.notifications.service.escalation import EscalationService

    store = scope.get(oncall_store)
    return EscalationService(
        store,
        store,
        scope.get(incident_service),
        scope.get(escalation_dispatch),
        scope.get(escalation_pages),
        scope.get(escalation_machine),
        public_url=scope.settings.public_base_url,
    )
