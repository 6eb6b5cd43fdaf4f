"""The notifications' parts, each built on first ask (core/scope.py)."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from aisre.core.clock import utc_now
from aisre.core.providers import configured_table, table_connection
from aisre.core.scope import Scope
from aisre.incidents.providers import incident_service

if TYPE_CHECKING:
    from aisre.notifications.adapters.sqs_queue import SqsNotificationQueue
    from aisre.notifications.model.events import NotificationEvent
    from aisre.notifications.model.routing import DefaultRoutes
    from aisre.notifications.ports import (
        CalendarWriter,
        ChannelLookup,
        ChannelSecrets,
        ChannelStore,
        DeliveryQueue,
        Dispatch,
        EscalationMachine,
        EscalationPages,
        InboxStore,
        OnCall,
        OutboundHttp,
        RuleStore,
        Sender,
        Senders,
        TriggerActions,
        TriggerStore,
        UrlGuard,
        WebhookLookup,
        WebhookSender,
        WebhookStore,
    )
    from aisre.notifications.service.channels import ChannelService
    from aisre.notifications.service.delivery import DeliveryWorker
    from aisre.notifications.service.dispatch import Dispatcher
    from aisre.notifications.service.escalation import EscalationService
    from aisre.notifications.service.escalation_policies import EscalationPolicyService
    from aisre.notifications.service.inbox import InboxService
    from aisre.notifications.service.oncall import OnCallService
    from aisre.notifications.service.routing import RoutingChanges, RoutingService
    from aisre.notifications.service.rules import RuleService
    from aisre.notifications.service.slack_interactions import SlackInteractions
    from aisre.notifications.service.test_notifications import NotificationTester
    from aisre.notifications.service.triggers import TriggerService
    from aisre.notifications.service.webhooks import WebhookService
    from aisre.notifications.store.delivery_store import DynamoDeliveryStore
    from aisre.notifications.store.oncall_store import DynamoOnCallStore


# The delivery pipeline -----------------------------------------------------------------------------------------


def notification_queue(scope: Scope) -> SqsNotificationQueue | None:
    """The queue deliveries leave the request through; None when the stack has none (notifications off)."""
    from aisre.notifications.adapters.sqs_queue import SqsNotificationQueue

    settings = scope.settings
    if not settings.notification_queue_url:
        return None
    return SqsNotificationQueue(
        settings.notification_queue_url,
        settings.notification_dead_letter_queue_url,
        settings.aws_region,
        settings.aws_endpoint_url,
    )


def delivery_records(scope: Scope) -> DynamoDeliveryStore:
    from aisre.notifications.store.delivery_store import DynamoDeliveryStore

    scope.get(configured_table)
    return DynamoDeliveryStore(retention=timedelta(days=scope.settings.notification_retention_days))


def dispatcher(scope: Scope) -> Dispatcher:
    from aisre.core.errors import StorageError
    from aisre.notifications.service.dispatch import Dispatcher

    queue = scope.get(notification_queue)
    if queue is None:
        raise StorageError("NOTIFICATION_QUEUE_URL is not set: notifications cannot be queued")
    return Dispatcher(
        scope.get(routing_service),
        scope.get(webhook_lookup),
        scope.get(delivery_records),
        queue,
        inbox=scope.get(inbox_service),
        oncall=scope.get(oncall),
        triggers=scope.get(trigger_service),
        escalation=scope.get(escalation_service),
        group_update_seconds=scope.settings.notification_group_update_seconds,
    )


def delivery_worker(scope: Scope) -> DeliveryWorker:
    from aisre.notifications.service.delivery import DeliveryWorker, WorkerSettings

    settings = scope.settings
    queue = scope.get(notification_queue)
    assert queue is not None  # dispatcher() refused already
    return DeliveryWorker(
        scope.get(dispatcher),
        scope.get(delivery_records),
        queue,
        scope.get(channel_service),
        scope.get(channel_senders),
        scope.get(webhook_lookup),
        scope.get(webhook_sender),
        scope.get(incident_service),
        WorkerSettings(
            max_attempts=settings.notification_max_attempts,
            channel_per_minute=settings.notification_channel_per_minute,
            max_age_seconds=settings.notification_max_age_seconds,
            public_base_url=settings.public_base_url,
        ),
    )


def notification_tester(scope: Scope) -> NotificationTester:
    from aisre.notifications.service.test_notifications import NotificationTester

    return NotificationTester(
        scope.get(routing_service), scope.get(channel_service), scope.get(channel_senders), scope.get(oncall)
    )


# -- Outgoing webhooks and triggers --------------------------------------------------------------------------------


def webhook_store(scope: Scope) -> WebhookStore:
    from aisre.notifications.store.webhook_store import DynamoWebhookStore

    scope.get(configured_table)
    return DynamoWebhookStore()


def trigger_store(scope: Scope) -> TriggerStore:
    from aisre.notifications.store.trigger_store import DynamoTriggerStore

    scope.get(configured_table)
    return DynamoTriggerStore()


def webhook_url_guard(scope: Scope) -> UrlGuard:
    from aisre.notifications.adapters.address_guard import ResolvingUrlGuard

    return ResolvingUrlGuard(allow_private=scope.settings.outbound_allow_private_networks)


def webhook_service(scope: Scope) -> WebhookService:
    from aisre.notifications.service.webhooks import WebhookService

    return WebhookService(
        scope.get(webhook_store),
        scope.get(webhook_url_guard),
        scope.get(delivery_records),
        lambda: scope.get(webhook_sender),
        allow_http=scope.settings.outbound_allow_private_networks,
    )


def webhook_lookup(scope: Scope) -> WebhookLookup:
    """ports.WebhookLookup for the delivery pipeline: a webhook with its secret; the ones subscribed to an event."""
    return scope.get(webhook_service)


def trigger_channels(scope: Scope) -> ChannelLookup | None:
    """The channels a trigger's notify action names: the routing part's ChannelLookup."""
    return scope.get(channel_service)


def trigger_deliveries(scope: Scope) -> DeliveryQueue | None:
    """Where a trigger's notify action queues its delivery: the delivery pipeline's queue."""
    return scope.get(notification_queue)


def trigger_actions(scope: Scope) -> TriggerActions:
    """What triggers do, through the other parts; each is built when an action first needs it."""
    from aisre.investigations.providers import investigation_queue
    from aisre.notifications.adapters.trigger_actions import PlatformTriggerActions
    from aisre.workflows.providers import run_service, workflow_service

    return PlatformTriggerActions(
        channels=lambda: scope.get(trigger_channels),
        deliveries=lambda: scope.get(trigger_deliveries),
        investigations=lambda: scope.get(investigation_queue),
        workflows=lambda: scope.get(workflow_service),
        runs=lambda: scope.get(run_service),
    )


def trigger_service(scope: Scope) -> TriggerService:
    """The triggers' CRUD, and `on_event` for the dispatcher."""
    from aisre.notifications.service.triggers import TriggerService

    return TriggerService(
        scope.get(trigger_store),
        scope.get(trigger_actions),
        retention=timedelta(days=scope.settings.notification_retention_days),
    )


# Senders ------------------------------------------------------------------------------------------------------
# The channel senders, the outgoing webhooks' sender, the HTTP client they share (the SSRF guard), and Slack's
# buttons (served by the actions function: approving carries an action out on a cluster).


def outbound_http(scope: Scope) -> OutboundHttp:
    from aisre.notifications.adapters.outbound import GuardedHttp

    return GuardedHttp(allow_private=scope.settings.outbound_allow_private_networks)


def email_sender(scope: Scope) -> Sender:
    """EMAIL_TRANSPORT's sender: SES v2, or SMTP (its password read from the secrets on each send)."""
    settings = scope.settings
    if settings.email_transport == "ses":
        from aisre.notifications.adapters.senders.mail import SesEmailSender

        return SesEmailSender(settings.aws_region, settings.aws_endpoint_url, settings.email_from)
    from aisre.core.secrets import load_secrets
    from aisre.notifications.adapters.senders.mail import SmtpEmailSender, SmtpServer

    server = SmtpServer(
        host=settings.smtp_host,
        port=settings.smtp_port,
        username=settings.smtp_username,
        starttls=settings.smtp_starttls,
        sender=settings.email_from,
    )
    return SmtpEmailSender(server, password=lambda: load_secrets(settings).smtp_password)


def channel_senders(scope: Scope) -> Senders:
    from aisre.notifications.adapters.senders.registry import SenderRegistry

    return SenderRegistry(scope.get(outbound_http), scope.get(email_sender))


def webhook_sender(scope: Scope) -> WebhookSender:
    from aisre.notifications.adapters.senders.webhook import SignedWebhookSender

    return SignedWebhookSender(scope.get(outbound_http))


def slack_interactions(scope: Scope) -> SlackInteractions:
    from aisre.core.secrets import load_secrets
    from aisre.incidents.providers import incident_service
    from aisre.notifications.service.slack_interactions import SlackInteractions
    from aisre.remediation.providers import approval_service

    settings = scope.settings
    return SlackInteractions(
        scope.get(incident_service),
        scope.get(approval_service),
        # Read on each request (the secrets source caches it): a rotated signing secret is used without a restart.
        signing_secret=lambda: load_secrets(settings).slack_signing_secret,
        http=scope.get(outbound_http),
    )


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


class _DispatchLater:
    """The dispatcher, asked for on the first page: it is built with the escalation service (it starts and stops
    escalations), so the escalation service cannot have it built first."""

    def __init__(self, scope: Scope) -> None:
        self._scope = scope

    def dispatch(self, event: NotificationEvent) -> None:
        self._scope.get(dispatcher).dispatch(event)


def escalation_dispatch(scope: Scope) -> Dispatch:
    """Where an escalation's pages go: the notifications' dispatcher (routing, in-app inboxes, webhooks)."""
    return _DispatchLater(scope)


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


# -- Channels, routing and the inbox ------------------------------------------------------------------------------


def default_routes(scope: Scope) -> DefaultRoutes:
    """The built-in routes with NOTIFICATION_ROUTES_FILE's over them (RoutesFileError naming the key when bad)."""
    from aisre.notifications.adapters.routes_file import load_routes

    return load_routes(scope.settings.notification_routes_file or None)


def channel_secrets(scope: Scope) -> ChannelSecrets:
    from aisre.notifications.adapters.channel_secrets import SecretsManagerChannelSecrets

    settings = scope.settings
    return SecretsManagerChannelSecrets(settings.aws_region, settings.aws_endpoint_url, settings.channel_secret_prefix)


def channel_store(scope: Scope) -> ChannelStore:
    from aisre.notifications.store.channel_store import DynamoChannelStore

    return DynamoChannelStore(scope.get(table_connection))


def rule_store(scope: Scope) -> RuleStore:
    from aisre.notifications.store.rule_store import DynamoRuleStore

    return DynamoRuleStore(scope.get(table_connection), utc_now)


def routing_changes(scope: Scope) -> RoutingChanges:
    """Channel and rule changes made in this process, so that routing here need not wait out its cache."""
    from aisre.notifications.service.routing import RoutingChanges

    return RoutingChanges()


def routing_service(scope: Scope) -> RoutingService:
    """The RouteResolver: which channels an event goes to (secrets masked)."""
    from aisre.notifications.service.routing import RoutingService

    return RoutingService(
        scope.get(channel_store),
        scope.get(rule_store),
        scope.get(default_routes),
        changes=scope.get(routing_changes),
    )


def channel_service(scope: Scope) -> ChannelService:
    """The channels' CRUD, and the ChannelLookup of the delivery worker (get_channel: with its secrets)."""
    from aisre.notifications.service.channels import ChannelService

    return ChannelService(
        scope.get(channel_store),
        scope.get(rule_store),
        scope.get(channel_secrets),
        allow_http=scope.settings.outbound_allow_private_networks,
        clock=utc_now,
        changed=scope.get(routing_changes).changed,
    )


def rule_service(scope: Scope) -> RuleService:
    from aisre.notifications.service.rules import RuleService

    return RuleService(
        scope.get(rule_store), scope.get(channel_store), clock=utc_now, changed=scope.get(routing_changes).changed
    )


def inbox_store(scope: Scope) -> InboxStore:
    from aisre.notifications.store.inbox_store import DynamoInboxStore

    return DynamoInboxStore(scope.get(table_connection))


def inbox_service(scope: Scope) -> InboxService:
    """The Inbox (in-app notifications per principal)."""
    from aisre.notifications.service.inbox import InboxService

    return InboxService(
        scope.get(inbox_store), clock=utc_now, retention=timedelta(days=scope.settings.notification_retention_days)
    )
