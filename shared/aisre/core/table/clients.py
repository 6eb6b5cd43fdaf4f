"""The botocore clients behind the table, each tuned once as it is made: unsigned where configured (an emulator
that ignores signatures), and by any transport hook the local stack installs (aisre/local/loopback.py)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

ClientHook = Callable[[Any], None]

_hooks: list[ClientHook] = []
_unsigned = False
_shared: dict[tuple[Any, ...], Any] = {}
_shared_lock = threading.Lock()  # botocore's client creation is not thread safe


def add_client_hook(hook: ClientHook) -> None:
    """Applied to every DynamoDB client made from now on (the local stack's loopback transport)."""
    _hooks.append(hook)


def remove_client_hook(hook: ClientHook) -> None:
    if hook in _hooks:
        _hooks.remove(hook)


def sign_requests(signed: bool) -> None:
    """SigV4-sign DynamoDB requests or not (AISRE_DYNAMODB_SIGNING); signing is a seventh of a new incident's
    CPU against the embedded emulator, which ignores it."""
    global _unsigned
    _unsigned = not signed


def tune_client(client: Any) -> None:
    for hook in _hooks:
        hook(client)
    if _unsigned:
        from botocore import UNSIGNED

        client.meta.events.register("choose-signer", lambda **_: UNSIGNED)


def share_client(connection: Any) -> Any:
    """Give a PynamoDB connection the one botocore client made for its settings, and return it.

    PynamoDB makes a botocore session and client per record class, each loading DynamoDB's service model:
    a dozen on a Lambda's first request (seconds on a slow machine). Clients are thread safe once made, so
    every connection with the same endpoint, timeouts, retries and pool shares one. Reads PynamoDB's
    private settings of the connection; tests/integration/test_table_records.py fails if they move."""
    key = (
        connection.region,
        connection.host,
        connection._connect_timeout_seconds,
        connection._read_timeout_seconds,
        connection._max_retry_attempts_exception,
        connection._max_pool_connections,
        _unsigned,
        tuple(_hooks),
    )
    with _shared_lock:
        if key not in _shared:
            client = connection.client  # made by PynamoDB, with its retry and timeout configuration
            tune_client(client)
            _shared[key] = client
        connection._client = _shared[key]
    return _shared[key]
