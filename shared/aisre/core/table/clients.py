"""The botocore clients behind the table, each tuned once as it is made: unsigned where configured (an emulator
that ignores signatures), and by any transport hook the local stack installs (aisre/local/loopback.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

ClientHook = Callable[[Any], None]

_hooks: list[ClientHook] = []
_unsigned = False


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
