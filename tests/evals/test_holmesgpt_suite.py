"""HolmesGPT's public cases (vendored in tests/evals/cases/holmesgpt): the investigations replayed through gather,
analyze and render, the questions through the chat engine of /api/chat; each answer scored with the regex rubric."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from aisre.cli import main
from aisre.investigations.adapters.tools.holmes_cases import iter_cases
from aisre.investigations.service.eval import run_suite

CASES = Path(__file__).resolve().parent / "cases" / "holmesgpt"
SUITE = CASES / "test_investigate"
RUBRIC = CASES / "rubric.json"
ASK_SUITE = CASES / "test_ask_holmes"
ASK_RUBRIC = CASES / "rubric_ask_holmes.json"
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


# The questions answered without a model when this was written; issue #11 asks for at least 7 of 8.
MIN_ASK_PASSED = 8


def test_ask_holmes_questions_are_answered_without_a_model() -> None:
    rubric = json.loads(ASK_RUBRIC.read_text(encoding="utf-8"))
    cases = list(iter_cases(ASK_SUITE))
    assert len(cases) == 8 and all(case.question for case in cases)
    results = run_suite(cases, rubric)
    assert [r.case for r in results] == sorted(name for name in rubric if not name.startswith("_"))
    failed = {r.case: r.unmet for r in results if not r.passed}
    assert sum(1 for r in results if r.passed) >= MIN_ASK_PASSED, failed
    for r in results:
        # Answered as /api/chat answers without a model: the answer first, the note on the engine last.
        assert "deterministic analyzer" in r.answer.splitlines()[-1]
        assert not r.answer.startswith(("_No language model", "## "))
        assert r.tool_calls >= 1


def test_eval_command_scores_both_suites_from_the_repository(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for suite, rubric, count in ((SUITE, RUBRIC, 17), (ASK_SUITE, ASK_RUBRIC, 8)):
        out = tmp_path / f"{suite.name}.json"
        assert main(["eval", "--suite", str(suite), "--rubric", str(rubric), "--json", str(out)]) == 0
        assert f"/{count}" in capsys.readouterr().out.splitlines()[-1]
        scored = json.loads(out.read_text(encoding="utf-8"))["cases"]
        assert len(scored) == count and all(case["passed"] is not None for case in scored)


def test_eval_without_a_suite_scores_every_suite_of_the_repository(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(CASES.parents[3])  # the repository root: tests/evals/cases is where `aisre eval` looks
    out = tmp_path / "all.json"
    assert main(["eval", "--json", str(out)]) == 0
    last = capsys.readouterr().out.splitlines()[-1]
    assert last.startswith("== all suites: passed ")
    suites = {case["suite"] for case in json.loads(out.read_text(encoding="utf-8"))["cases"]}
    assert {"tests/evals/cases/holmesgpt/test_investigate", "tests/evals/cases/holmesgpt/test_ask_holmes"} <= suites
