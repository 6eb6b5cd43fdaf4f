"""The bound on a workspace's webhooks and triggers: the dispatcher reads them whole on every event."""

from __future__ import annotations

from collections.abc import Sized

from aisre.core.errors import ConflictError


def check_room(held: Sized, bound: int, things: str) -> None:
    """ConflictError when the workspace holds `bound` of its `things` already (`held`: their listing, read up to
    `bound`), so that one more stays within the single small Query the dispatcher makes."""
    if len(held) >= bound:
        raise ConflictError(f"a workspace holds at most {bound} {things}: delete one first")
