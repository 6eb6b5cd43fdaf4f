"""The notifications' parts, each built on first ask (core/scope.py)."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from aisre.core.clock import utc_now
from aisre.core.providers import table_connection
from aisre.core.scope import Scope

if TYPE_CHECKING:
    from aisre.notifications.model.routing import DefaultRoutes
    from aisre.notifications.ports import ChannelSecrets, ChannelStore, InboxStore, RuleStore
    from aisre.notifications.service.channels import ChannelService
    from aisre.notifications.service.inbox import InboxService
    from aisre.notifications.service.routing import RoutingChanges, RoutingService
    from aisre.notifications.service.rules import RuleService


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
