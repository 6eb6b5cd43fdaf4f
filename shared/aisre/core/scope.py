"""Composition without a service locator: a Scope builds each part once, on first ask, for one Settings.

Each capability declares its parts as providers, plain functions `provider(scope) -> part` in its own
providers.py; a provider asks the scope for the parts it needs (`scope.get(other_provider)`). Nothing is
built, and no module imported, before something asks for it, so a Lambda of one endpoint group loads only
that group's code. Routes never see the scope: `provide(provider)` (core/http/deps.py) is the FastAPI
dependency that hands them the one narrow part they use.

Capabilities that must hear of each other's events (a new incident is investigated; a resolved one becomes
knowledge) do so through `publish`: subscribers are named in aisre/subscriptions.py, imported when the
event first fires, and receive (scope, payload).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from functools import lru_cache
from importlib import import_module
from typing import Any, TypeVar

from aisre.core.observability import logger
from aisre.core.settings import Settings, get_settings

T = TypeVar("T")
Provider = Callable[["Scope"], T]
Subscriber = Callable[["Scope", Any], None]


class Scope:
    def __init__(self, settings: Settings, subscriptions: Mapping[str, Sequence[str]] | None = None):
        self.settings = settings
        self._built: dict[Callable[..., Any], Any] = {}
        # Re-entrant: a provider asks the scope for the parts it needs while it builds.
        self._building = threading.RLock()
        self._subscriptions = dict(subscriptions or {})
        self._subscribers: dict[str, list[Subscriber]] = {}

    def get(self, provider: Provider[T]) -> T:
        """The part `provider` builds, built once per scope (two first requests in two threads build it once)."""
        if provider not in self._built:
            with self._building:
                if provider not in self._built:
                    self._built[provider] = provider(self)
        part: T = self._built[provider]
        return part

    def put(self, provider: Provider[T], part: T) -> None:
        """Stand `part` in for what `provider` would build (tests: a stand-in SNS, a broken store)."""
        self._built[provider] = part

    def publish(self, event: str, payload: Any) -> None:
        """Call the event's subscribers in order. The publisher's own work (an incident stored, a resolution
        written) is done before it publishes, so a subscriber that fails is logged and the next one still hears:
        a queue that refuses notifications does not keep the investigation from being queued."""
        for subscriber in self._subscribers_of(event):
            try:
                subscriber(self, payload)
            except Exception:
                logger.exception("subscriber %s of %s failed", getattr(subscriber, "__name__", subscriber), event)

    def has_subscribers(self, event: str) -> bool:
        return bool(self._subscriptions.get(event))

    def _subscribers_of(self, event: str) -> list[Subscriber]:
        if event not in self._subscribers:
            self._subscribers[event] = [_load(path) for path in self._subscriptions.get(event, ())]
        return self._subscribers[event]


def _load(path: str) -> Subscriber:
    module, _, name = path.partition(":")
    subscriber: Subscriber = getattr(import_module(module), name)
    return subscriber


@lru_cache(maxsize=1)
def default_scope() -> Scope:
    """This process's scope: the settings from the environment, the platform's subscriptions."""
    from aisre.subscriptions import SUBSCRIPTIONS

    return Scope(get_settings(), SUBSCRIPTIONS)


def reset_scope() -> None:
    """Forget every built part (tests, and the local stack after it changes the environment)."""
    default_scope.cache_clear()
