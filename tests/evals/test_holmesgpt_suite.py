"""HolmesGPT's investigation cases, replayed through gather, analyze and render, scored with the regex rubric."""

from __future__ import annotations

import json
from pathlib import Path

from aisre.investigations.adapters.tools.holmes_cases import iter_cases
from aisre.investigations.service.eval import run_suite

SHARED = Path(__file__).resolve().parents[2] / ".." / "shared"
SUITE = SHARED / "benchmarks" / "holmesgpt" / "test_investigate"
RUBRIC = SHARED / "benchmarks" / "holmesgpt" / "rubric.json"
# A regression guard: the pass count reached without an LLM when this was written (17 of 17).
MIN_PASSED = 17


def test_suite_pass_count_does_not_regress() -> None:
    rubric = json.loads(RUBRIC.read_text(encoding="utf-8"))
    results = run_suite(iter_cases(SUITE), rubric)
    assert len(results) == 17
    failed = {r.case: r.unmet for r in results if not r.passed}
    assert sum(1 for r in results if r.passed) >= MIN_PASSED, failed
    for r in results:
        assert r.tool_calls == 0 or r.answer.count("## Tools called") == 1
