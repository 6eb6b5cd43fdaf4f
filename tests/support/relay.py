"""Stand-in functions for a test's own local stack: the handler file a test writes calls `relay(name, event)`, and
the test hands the callable that answers (the local stack runs functions in-process, so it is the test's own)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

ANSWERS: dict[str, Callable[[Any], Any]] = {}

HANDLER = """\
from tests.support.relay import relay


def handler(event, context):
    return relay({name!r}, event)
"""


def relay(name: str, event: Any) -> Any:
    return ANSWERS[name](event)
