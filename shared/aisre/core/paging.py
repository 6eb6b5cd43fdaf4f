"""A page of results and the opaque cursor to the next one, whatever store produced it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass
class Page(Generic[T]):
    items: list[T]
    cursor: str | None = None
