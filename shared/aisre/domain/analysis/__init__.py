"""The deterministic analyzer: rules over gathered evidence that state a root cause with the lines it rests on."""

from aisre.domain.analysis.engine import analyze
from aisre.domain.analysis.finding import Analysis, Finding
from aisre.domain.analysis.render import render_answer

__all__ = ["Analysis", "Finding", "analyze", "render_answer"]
