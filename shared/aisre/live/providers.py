"""The live parts, each built on first ask (core/scope.py): the connections, the sockets, the two services."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aisre.core.providers import configured_table, keyring
from aisre.core.scope import Scope

if TYPE_CHECKING:
    from aisre.live.ports import ConnectionStore, Sockets
    from aisre.live.service.fanout import LiveFanOut
    from aisre.live.service.socket import LiveSocketService


def live_connections(scope: Scope) -> ConnectionStore:
    from aisre.core.clock import utc_now
    from aisre.live.store.connections import ConnectionTable

    scope.get(configured_table)
    return ConnectionTable(utc_now)


def live_sockets(scope: Scope) -> Sockets:
    from aisre.live.adapters.management_api import ManagementApiSockets

    settings = scope.settings
    return ManagementApiSockets(settings.live_connections_endpoint, settings.aws_region)


def live_socket_service(scope: Scope) -> LiveSocketService:
    from aisre.core.clock import utc_now
    from aisre.live.service.socket import LiveSocketService

    return LiveSocketService(scope.get(live_connections), scope.get(live_sockets), lambda: scope.get(keyring), utc_now)


def live_fanout(scope: Scope) -> LiveFanOut:
    from aisre.live.service.fanout import LiveFanOut

    return LiveFanOut(scope.get(live_connections), scope.get(live_sockets))
