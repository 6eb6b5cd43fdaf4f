"""aisre's own cases (tests/evals/cases/aisre): every case folder loads, every recording parses, every case has a
rubric entry whose patterns compile. No pass count is held: the cases are a held-out measure of the engine."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from aisre.investigations.adapters.tools.holmes_cases import iter_cases
from aisre.investigations.adapters.tools.replay import parse_recording
from aisre.investigations.service.eval import run_suite

CASES = Path(__file__).resolve().parent / "cases" / "aisre"
SUITES = [
    (CASES / "test_investigate", CASES / "rubric_investigate.json", False),
    (CASES / "test_ask", CASES / "rubric_ask.json", True),
]


def _folders(suite: Path) -> list[Path]:
    return sorted(p for p in suite.iterdir() if p.is_dir())


@pytest.mark.parametrize(("suite", "rubric_path", "questions"), SUITES, ids=["investigate", "ask"])
def test_every_case_loads_and_has_a_rubric_entry(suite: Path, rubric_path: Path, questions: bool) -> None:
    folders = _folders(suite)
    cases = list(iter_cases(suite))
    assert [c.name for c in cases] == [f.name for f in folders]  # no folder is skipped as not a case
    assert all(bool(c.question) is questions for c in cases)
    rubric = json.loads(rubric_path.read_text(encoding="utf-8"))
    assert sorted(k for k in rubric if not k.startswith("_")) == [f.name for f in folders]
    for case in cases:
        groups = rubric[case.name]
        assert groups and all(group and all(isinstance(p, str) for p in group) for group in groups), case.name
        for group in groups:
            for pattern in group:
                re.compile(pattern)
        assert case.runner.recordings, case.name


@pytest.mark.parametrize(("suite", "rubric_path", "questions"), SUITES, ids=["investigate", "ask"])
def test_every_recording_parses(suite: Path, rubric_path: Path, questions: bool) -> None:
    for folder in _folders(suite):
        spec = yaml.safe_load((folder / "test_case.yaml").read_text(encoding="utf-8"))
        assert spec.get("expected_output") and spec.get("tags"), folder.name
        assert (folder / "investigate_request.json").is_file(), folder.name
        for path in sorted(folder.glob("*.json")):
            json.loads(path.read_text(encoding="utf-8"))
        for path in sorted(folder.glob("*.txt")):
            lines = path.read_text(encoding="utf-8").split("\n", 2)
            header, meta = json.loads(lines[0]), json.loads(lines[1])
            assert set(header) == {"toolset_name", "tool_name", "match_params"}, path
            assert isinstance(header["match_params"], dict), path
            assert meta["schema_version"] == "robusta:v1.0.0" and meta["status"] in {"success", "error"}, path
            assert parse_recording(path.read_text(encoding="utf-8"), path.name) is not None, path


@pytest.mark.parametrize(("suite", "rubric_path", "questions"), SUITES, ids=["investigate", "ask"])
def test_every_case_replays_and_is_scored(suite: Path, rubric_path: Path, questions: bool) -> None:
    rubric = json.loads(rubric_path.read_text(encoding="utf-8"))
    results = run_suite(iter_cases(suite), rubric)
    assert len(results) == len(_folders(suite))
    assert all(r.passed is not None and r.answer for r in results)
    # A regression guard: every case passed without a model when the engine was built against them (issue #11).
    failed = {r.case: r.unmet for r in results if not r.passed}
    assert not failed, failed
    if questions:  # an answer a person can read: the answer first, not a heading or the note on the engine
        assert all(not r.answer.startswith(("## ", "_")) for r in results)
