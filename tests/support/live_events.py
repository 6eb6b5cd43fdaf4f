"""Serving a test's app with live events as `aisre serve` serves them: WS /ws on it, fed by the table's stream."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


@contextmanager
def api_keys_in_environment(api_keys: str) -> Iterator[None]:
    """AI_SRE_API_KEYS set for the block. The socket function builds its own scope from the environment, as a Lambda
    does, so a test's keys must be there (not only in a served app's scope) for the socket to check them."""
    from aisre.core.scope import reset_scope
    from aisre.core.settings import reset_settings

    before = os.environ.get("AI_SRE_API_KEYS")
    os.environ["AI_SRE_API_KEYS"] = api_keys
    reset_settings()
    reset_scope()
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("AI_SRE_API_KEYS", None)
        else:
            os.environ["AI_SRE_API_KEYS"] = before
        reset_settings()
        reset_scope()


@contextmanager
def live_events_served(local_stack: Any, url: str) -> Iterator[str]:
    """The stack's live events pointed at the app served at `url`, its stream read by the fan-out, for the block."""
    local_stack.serve_live_events(url)
    local_stack.start_stream_pollers(["LiveFanOutFunction"])
    try:
        yield url
    finally:
        local_stack.stop_live_events()
