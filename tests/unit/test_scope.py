"""The Scope: each part built once, on first ask, even when two threads ask first; events reach subscribers."""

from __future__ import annotations

import sys
import threading
import time
import types
from typing import Any

from aisre.core.scope import Scope
from aisre.core.settings import Settings


def test_a_part_is_built_once_per_scope_and_parts_build_on_parts() -> None:
    built: list[str] = []

    def base(scope: Scope) -> str:
        built.append("base")
        time.sleep(0.05)  # long enough for the other thread to ask meanwhile
        return "base"

    def top(scope: Scope) -> str:
        built.append("top")
        return scope.get(base) + "+top"

    scope = Scope(Settings())
    results: list[str] = []
    threads = [threading.Thread(target=lambda: results.append(scope.get(top))) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == ["base+top"] * 4
    assert built == ["top", "base"]
    assert Scope(Settings()).get(base) == "base" and built.count("base") == 2  # another scope, its own parts


def test_put_stands_a_part_in() -> None:
    scope = Scope(Settings())

    def real(scope: Scope) -> str:
        raise AssertionError("not built when a stand-in is put")

    scope.put(real, "stand-in")
    assert scope.get(real) == "stand-in"


def test_events_reach_the_named_subscribers_in_order_and_load_on_first_publish() -> None:
    heard: list[Any] = []
    module = types.ModuleType("aisre_test_subscribers")
    module.first = lambda scope, payload: heard.append(("first", payload))  # type: ignore[attr-defined]
    module.second = lambda scope, payload: heard.append(("second", payload))  # type: ignore[attr-defined]
    sys.modules[module.__name__] = module
    try:
        scope = Scope(Settings(), {"thing.happened": ("aisre_test_subscribers:first", "aisre_test_subscribers:second")})
        assert scope.has_subscribers("thing.happened") and not scope.has_subscribers("other")
        scope.publish("thing.happened", 1)
        scope.publish("other", 2)  # nobody listens: nothing happens
        assert heard == [("first", 1), ("second", 1)]
    finally:
        del sys.modules[module.__name__]
