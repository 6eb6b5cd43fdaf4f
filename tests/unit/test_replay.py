"""The replay ToolRunner: recordings matched by tool and parameters; unrecorded calls answered as a cluster would."""

from __future__ import annotations

import json
from pathlib import Path

from aisre.investigations.adapters.tools.replay import ReplayToolRunner, match_score, parse_recording


def recording(tool: str, params: dict[str, object] | None, body: str, status: str = "success") -> str:
    header = {"toolset_name": "kubernetes/core", "tool_name": tool}
    if params is not None:
        header["match_params"] = params
    return f"{json.dumps(header)}\n{json.dumps({'status': status, 'error': None})}\nstdout:\n{body}\n"


def write(folder: Path, name: str, content: str) -> None:
    (folder / name).write_text(content, encoding="utf-8")


def test_parse_recording_reads_header_metadata_and_body() -> None:
    parsed = parse_recording(recording("kubectl_describe", {"kind": "pod", "name": "a"}, "Name: a", status="error"))
    assert parsed is not None
    assert (parsed.tool, parsed.status, dict(parsed.match_params or {})) == (
        "kubectl_describe",
        "error",
        {"kind": "pod", "name": "a"},
    )
    assert "Name: a" in parsed.text
    assert parse_recording("not a recording") is None


def test_match_rules() -> None:
    assert match_score(None, {"anything": 1}) == 0
    assert match_score({"pod_name": "*", "namespace": "ns"}, {"pod_name": "web-1", "namespace": "ns"}) == 1
    assert match_score({"kind": "Pod", "name": "a"}, {"kind": "pod", "name": "a"}) == 2
    assert match_score({"kind": "pod", "name": "a"}, {"kind": "pod", "name": "b"}) is None
    assert match_score({"kind": "node", "name": "n1", "namespace": "default"}, {"kind": "node", "name": "n1"}) == 2
    assert match_score({"kind": "pod", "name": "a", "namespace": "x"}, {"kind": "pod", "name": "a"}) is None


def test_runner_serves_matches_and_answers_unrecorded_calls(tmp_path: Path) -> None:
    write(
        tmp_path, "a.txt", recording("kubectl_describe", {"kind": "pod", "name": "web", "namespace": "ns"}, "Name: web")
    )
    write(tmp_path, "b.txt", recording("fetch_pod_logs", {"pod_name": "*", "namespace": "ns"}, "hello"))
    write(tmp_path, "notes.md", "ignored")
    runner = ReplayToolRunner.from_dir(tmp_path)
    assert runner.available_tools() == frozenset({"kubectl_describe", "fetch_pod_logs"})

    described = runner.run("kubectl_describe", {"kind": "pod", "name": "web", "namespace": "ns"})
    assert described.status == "success" and "Name: web" in described.text
    logs = runner.run("fetch_pod_logs", {"pod_name": "anything", "namespace": "ns"})
    assert "hello" in logs.text

    missing = runner.run("kubectl_describe", {"kind": "pod", "name": "other", "namespace": "ns"})
    assert missing.status == "error" and missing.error and "NotFound" in missing.error
    unavailable = runner.run("kubectl_events", {"pod_name": "web"})
    assert unavailable.status == "unavailable"


def test_successful_recording_wins_when_several_match(tmp_path: Path) -> None:
    write(
        tmp_path,
        "a.txt",
        recording(
            "kubectl_describe",
            {"kind": "node", "name": "n1", "namespace": ""},
            'Error from server (NotFound): nodes "n1" not found',
        ),
    )
    write(
        tmp_path,
        "b.txt",
        recording(
            "kubectl_describe",
            {"kind": "node", "name": "n1", "namespace": "default"},
            "Name: n1\nAllocatable:\n  pods: 110",
        ),
    )
    result = ReplayToolRunner.from_dir(tmp_path).run("kubectl_describe", {"kind": "node", "name": "n1"})
    assert "Allocatable" in result.text


def test_a_recording_answers_a_call_naming_its_object_with_another_releases_parameter() -> None:
    from aisre.investigations.adapters.tools.replay import Recording, ReplayToolRunner

    events = Recording(
        tool="kubectl_events",
        match_params={"resource_type": "pod", "resource_name": "web-1", "namespace": "shop"},
        status="success",
        error=None,
        text="LAST SEEN   TYPE   REASON\n2m   Warning   BackOff",
    )
    runner = ReplayToolRunner([events])
    called = runner.run("kubectl_events", {"resource_type": "pod", "pod_name": "web-1", "namespace": "shop"})
    assert called.status == "success" and "BackOff" in called.text
    other = runner.run("kubectl_events", {"resource_type": "pod", "pod_name": "web-2", "namespace": "shop"})
    assert other.status == "error"
