"""The switches that turn the local stack's speed work off for a measurement (aisre/local/speedups.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from aisre.local import speedups


@pytest.fixture(autouse=True)
def _fresh_reading() -> Iterator[None]:
    speedups._off.cache_clear()
    yield
    speedups._off.cache_clear()


def test_every_piece_is_on_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(speedups.VARIABLE, raising=False)
    assert all(speedups.enabled(piece) for piece in speedups.PIECES)


def test_named_pieces_or_all_are_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(speedups.VARIABLE, " loopback, gc_freeze ")
    assert not speedups.enabled("loopback") and not speedups.enabled("gc_freeze")
    assert speedups.enabled("dynamodb_front")
    speedups._off.cache_clear()
    monkeypatch.setenv(speedups.VARIABLE, "all")
    assert not any(speedups.enabled(piece) for piece in speedups.PIECES)


def test_a_misspelt_piece_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(speedups.VARIABLE, "loopbak")
    with pytest.raises(ValueError, match="unknown piece"):
        speedups.enabled("loopback")
    with pytest.raises(ValueError, match="not a speed piece"):
        speedups.enabled("nothing")
