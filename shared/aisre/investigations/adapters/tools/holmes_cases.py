"""Reads HolmesGPT-format case folders: the request and alert as an Issue, the tools as a replay, and for a
question-style case (test_ask_holmes: `user_prompt` in test_case.yaml) the question asked."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aisre.investigations.adapters.tools.replay import ReplayToolRunner
from aisre.investigations.model.evidence import Issue, Subject


@dataclass(frozen=True)
class Case:
    name: str
    issue: Issue
    runner: ReplayToolRunner
    question: str | None = None  # a question to answer (as /api/chat does), not an alert to investigate


def _json(path: Path) -> dict[str, Any]:
    if not path.is_file():
        return {}
    data = json.loads(path.read_text(encoding="utf-8"))
    return data if isinstance(data, dict) else {}


def _strings(mapping: Any) -> dict[str, str]:
    if not isinstance(mapping, Mapping):
        return {}
    return {str(k): str(v) for k, v in mapping.items() if v is not None}


def load_issue(folder: Path) -> Issue:
    """investigate_request.json is the request; issue_data.json (Robusta finding or Alertmanager alert) the alert."""
    request = _json(folder / "investigate_request.json")
    data = _json(folder / "issue_data.json")
    raw: Mapping[str, Any] = data["raw"] if isinstance(data.get("raw"), Mapping) else {}
    subject: Mapping[str, Any] = request.get("subject") or {}
    labels = {**_strings(raw.get("labels")), **_strings(data.get("labels")), **_strings(subject.get("labels"))}
    annotations = {**_strings(raw.get("annotations")), **_strings(data.get("annotations"))}
    documents = _json(folder / "resource_instructions.json").get("documents") or []
    runbooks = [str(d["url"]) for d in documents if isinstance(d, Mapping) and d.get("url")]
    if annotations.get("runbook_url"):
        runbooks.append(annotations["runbook_url"])
    context: Mapping[str, Any] = request.get("context") or {}
    return Issue(
        title=str(request.get("title") or data.get("title") or data.get("name") or "unknown alert"),
        description=str(request.get("description") or data.get("description") or annotations.get("description") or ""),
        source=request.get("source") or data.get("source"),
        subject=Subject(
            kind=subject.get("kind") or subject.get("subject_type"),
            name=subject.get("name"),
            namespace=subject.get("namespace"),
            node=subject.get("node"),
            container=subject.get("container"),
        ),
        labels=labels,
        annotations=annotations,
        starts_at=data.get("starts_at") or raw.get("startsAt"),
        issue_id=context.get("robusta_issue_id") or data.get("id"),
        runbook_urls=tuple(dict.fromkeys(runbooks)),
    )


def load_question(folder: Path) -> str | None:
    """test_case.yaml's `user_prompt`: the question of a question-style case (None for an investigation)."""
    path = folder / "test_case.yaml"
    if not path.is_file():
        return None
    import yaml  # imported here: only the evaluation reads YAML cases

    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    prompt = data.get("user_prompt") if isinstance(data, dict) else None
    if isinstance(prompt, list):  # a conversation: the last prompt is the question
        prompt = prompt[-1] if prompt else None
    if prompt is None:
        return None
    return str(prompt).strip() or None


def load_case(folder: Path) -> Case:
    question = load_question(folder)
    if question is not None and not (folder / "investigate_request.json").is_file():
        # What /api/chat makes of a bare question.
        issue = Issue(title=question, source="chat")
    else:
        issue = load_issue(folder)
    return Case(folder.name, issue, ReplayToolRunner.from_dir(folder), question)


def _is_case(folder: Path) -> bool:
    return (folder / "investigate_request.json").is_file() or load_question(folder) is not None


def iter_cases(suite: Path) -> Iterator[Case]:
    """Every sub-folder holding an investigate_request.json or a question, in name order."""
    for folder in sorted(p for p in suite.iterdir() if p.is_dir() and _is_case(p)):
        yield load_case(folder)
