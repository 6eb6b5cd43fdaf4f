"""The deterministic analyzer: rules over gathered evidence that state a root cause with the lines it rests on.

Names load on first use (PEP 562): importing a light submodule (finding, for the models) must not
import the whole rule engine, which an HTTP Lambda's cold start would pay for.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from aisre.investigations.model.analysis.engine import analyze
    from aisre.investigations.model.analysis.finding import Analysis, Finding
    from aisre.investigations.model.analysis.render import render_answer

__all__ = ["Analysis", "Finding", "analyze", "render_answer"]

_WHERE = {
    "analyze": "aisre.investigations.model.analysis.engine",
    "Analysis": "aisre.investigations.model.analysis.finding",
    "Finding": "aisre.investigations.model.analysis.finding",
    "render_answer": "aisre.investigations.model.analysis.render",
}


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(_WHERE[name]), name)
