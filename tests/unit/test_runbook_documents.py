"""Runbooks as documents and what they draw on: strict parsing that names the field, the round trip of a saved
runbook, the built-in catalog passing the same checks, the reads' summaries, and drafts from history."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aisre.core.errors import ValidationError
from aisre.incidents.model.incident import ActionRecord, Incident
from aisre.remediation.adapters.runbook_files import load_runbooks, load_shared_steps
from aisre.remediation.model.runbook_documents import parse_runbook, runbook_document
from aisre.remediation.model.runbook_drafts import (
    PastIncident,
    draft_id,
    draft_runbook,
    normalize_pattern,
    pattern_name,
    shows_pattern,
)
from aisre.remediation.model.runbook_reads import summarize_deployment, summarize_history, summarize_pod
from aisre.remediation.model.runbooks import StepKind

CATALOG = load_runbooks()
T0 = datetime(2025, 1, 1, tzinfo=UTC)


def incident(number: int = 0, **overrides: Any) -> Incident:
    fields: dict[str, Any] = {
        "id": f"inc-{number}",
        "workspace_id": "ws-1",
        "title": "payments-api OOMKilled",
        "severity": "critical",
        "source": "prometheus",
        "provider": "generic",
        "fingerprint": f"fp-{number}",
        "created_at": T0 + timedelta(days=number),
        "namespace": "payments",
        "pod": "payments-api-7d9f8b6c5d-x2x9z",
        "deployment": "payments-api",
        "service": "payments-api",
    }
    return Incident(**(fields | overrides))


def action(name: str, outcome: str = "success", dry_run: bool = False, **details: Any) -> ActionRecord:
    return ActionRecord(
        incident_id="inc-0", action=name, outcome=outcome, actor="alice", dry_run=dry_run, details=details,
        created_at=T0,
    )  # fmt: skip


def document(**overrides: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "id": "restart-it",
        "name": "Restart it",
        "steps": [{"title": "Look", "read": "pod_status"}, {"title": "Restart", "action": "restart_pod"}],
    }
    return base | overrides


def refused_field(data: Any, **kwargs: Any) -> str | None:
    with pytest.raises(ValidationError) as refused:
        parse_runbook(data, **kwargs)
    return refused.value.field


# -- parsing ----------------------------------------------------------------------------------------------------


def test_a_document_parses_into_steps_that_name_what_they_run() -> None:
    runbook = parse_runbook(
        document(
            steps=["Tell the team", {"title": "Scale", "action": "scale_deployment", "arguments": {"replicas": 4}}]
        )
    )
    assert [step.kind for step in runbook.steps] == [StepKind.MANUAL, StepKind.ACTION]
    assert runbook.steps[1].arguments == {"replicas": 4} and runbook.description == ""


@pytest.mark.parametrize(
    ("steps", "field"),
    [
        ([{"title": "Go", "action": "delete_namespace"}], "steps[0].action"),
        ([{"title": "Go", "read": "exec_shell"}], "steps[0].read"),
        ([{"title": "Go", "read": "pod_status", "action": "restart_pod"}], "steps[0].read"),
        ([{"title": "Go", "acton": "restart_pod"}], "steps[0].acton"),
        ([{"title": "Go", "action": "restart_pod", "arguments": {"pod_name": "other"}}], "steps[0].arguments.pod_name"),
        (
            [{"title": "Go", "action": "scale_deployment", "arguments": {"replicas": "4"}}],
            "steps[0].arguments.replicas",
        ),
        ([{"title": "Go", "action": "scale_deployment", "arguments": {"replicas": -1}}], "steps[0].arguments.replicas"),
        ([{"title": "Go", "read": "pod_status", "arguments": {"replicas": 1}}], "steps[0].arguments"),
        ([{"command": "kubectl get pods"}], "steps[0].title"),
        ([{"title": "x" * 301}], "steps[0].title"),
        ([{"use": "nowhere"}], "steps[0].use"),
        ([42], "steps[0]"),
        ([], "steps"),
        ([{"title": "Go"}] * 31, "steps"),
    ],
)
def test_a_bad_step_is_refused_naming_its_field(steps: list[Any], field: str) -> None:
    assert refused_field(document(steps=steps)) == field
    assert refused_field(document(steps=steps), field_prefix="runbook.", steps_field="step_specs") == (
        "runbook." + field.replace("steps", "step_specs", 1)
    )


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"id": "Has Spaces"}, "id"),
        ({"id": "runs"}, "id"),
        ({"id": "x" * 129}, "id"),
        ({"name": ""}, "name"),
        ({"name": 3}, "name"),
        ({"keywords": "oom"}, "keywords"),
        ({"alertnames": [None]}, "alertnames[0]"),
        ({"owner": "me"}, "owner"),
    ],
)
def test_a_bad_field_is_refused_naming_it(overrides: dict[str, Any], field: str) -> None:
    assert refused_field(document(**overrides)) == field


def test_a_shown_step_kind_is_derived_never_taken() -> None:
    runbook = parse_runbook(document(steps=[{"title": "Restart", "kind": "manual", "action": "restart_pod"}]))
    assert runbook.steps[0].kind is StepKind.ACTION


def test_every_built_in_runbook_round_trips_as_a_document() -> None:
    for runbook in CATALOG.runbooks.values():
        assert parse_runbook(runbook_document(runbook)) == runbook


def test_shared_steps_are_usable_by_an_imported_runbook() -> None:
    runbook = parse_runbook(document(steps=[{"use": "describe_pod"}]), shared_steps=load_shared_steps())
    assert runbook.steps[0].read == "pod_status"


@given(st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=20),
                    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
                    max_leaves=20))  # fmt: skip
def test_any_data_parses_or_is_refused_by_name(data: Any) -> None:
    try:
        parse_runbook(data)
    except ValidationError as refused:
        assert refused.field


# -- the reads' summaries -------------------------------------------------------------------------------------


def test_a_pod_summary_names_its_state_restarts_and_last_termination() -> None:
    pod = {
        "metadata": {"name": "web-1"},
        "spec": {"nodeName": "node-a"},
        "status": {
            "phase": "Running",
            "conditions": [{"type": "Ready", "status": "False"}],
            "containerStatuses": [
                {"name": "app", "ready": False, "restartCount": 7,
                 "state": {"waiting": {"reason": "CrashLoopBackOff"}},
                 "lastState": {"terminated": {"reason": "OOMKilled", "exitCode": 137}}},
            ],
        },
    }  # fmt: skip
    assert summarize_pod(pod) == (
        "pod web-1: CrashLoopBackOff, 0/1 ready, 7 restarts; app, last terminated OOMKilled (exit 137); on node node-a"
    )


def test_deployment_and_history_summaries() -> None:
    template = {
        "spec": {"containers": [{"name": "app", "image": "web:2", "resources": {"limits": {"memory": "256Mi"}}}]}
    }
    deployment = {
        "metadata": {"name": "web", "generation": 2, "annotations": {"deployment.kubernetes.io/revision": "2"}},
        "spec": {"replicas": 2, "template": template},
        "status": {"observedGeneration": 2, "replicas": 2, "updatedReplicas": 2, "availableReplicas": 2},
    }
    said = summarize_deployment(deployment)
    assert "successfully rolled out (2/2 available)" in said and "limits memory 256Mi" in said
    old = {"metadata": {"annotations": {"deployment.kubernetes.io/revision": "1"}},
           "spec": {"template": {"spec": {"containers": [{"image": "web:1"}]}}}}  # fmt: skip
    new = {"metadata": {"annotations": {"deployment.kubernetes.io/revision": "2"}}, "spec": {"template": template}}
    assert summarize_history(deployment, [old, new]) == "revision 2 (current): web:2; revision 1: web:1"


# -- drafts from history -----------------------------------------------------------------------------------------


def test_patterns_are_matched_by_their_words_run_together() -> None:
    assert shows_pattern(incident(title="High CPU on payments-api"), None, "high_cpu")
    assert shows_pattern(incident(title="payments-api is slow"), "Container app was OOMKilled", "oomkilled")
    assert shows_pattern(incident(title="x", labels={"alertname": "KubePodOOMKilled"}), None, "OOM killed")
    assert not shows_pattern(incident(title="payments-api is slow"), None, "oomkilled")
    assert not shows_pattern(incident(), None, "__")
    assert (normalize_pattern("High CPU"), pattern_name("high_cpu"), pattern_name("oomkilled")) == (
        "high_cpu",
        "High CPU",
        "OOMKilled",
    )


def test_a_draft_reads_recalls_the_causes_and_repeats_what_resolved_them() -> None:
    cause = "memory limit 256Mi too low"
    history = [
        PastIncident(incident(0), cause, (action("restart_pod"), action("resolve", note="raised to 512Mi"))),
        PastIncident(incident(1), cause, (action("scale_deployment", replicas=4), action("restart_pod"))),
        PastIncident(incident(2, labels={"alertname": "KubePodOOMKilled"}), None,
                     (action("rollback_deployment", outcome="failed"), action("restart_pod", dry_run=True))),
    ]  # fmt: skip
    draft = draft_runbook("payments-api", "oomkilled", history, CATALOG)
    runbook = draft.runbook
    assert runbook.id == "generated-oomkilled-payments-api" and runbook.name == "OOMKilled Recovery for payments-api"
    assert draft.occurrences == 3 and draft.resolved_by == {"restart_pod": 2, "scale_deployment": 1}
    assert (draft.first_seen, draft.last_seen) == (T0, T0 + timedelta(days=2))
    kinds = [step.kind for step in runbook.steps]
    assert kinds[:3] == [StepKind.READ] * 3  # the catalog's OOMKilled runbook's reads
    titles = [step.title for step in runbook.steps]
    assert "Check whether the cause is the one found before (2 of 3): memory limit 256Mi too low" in titles
    acting = [step for step in runbook.steps if step.action]
    assert [(step.action, step.arguments) for step in acting] == [
        ("restart_pod", {}),
        ("scale_deployment", {"replicas": 4}),
    ]
    assert acting[0].title.endswith("(resolved 2 of 3 earlier incidents)")
    assert titles[-1] == "Resolved before with the note: 'raised to 512Mi'"
    assert runbook.services == ("payments-api",) and runbook.alertnames == ("KubePodOOMKilled",)
    assert parse_runbook(runbook_document(runbook)) == runbook  # its approval saves it as it is


def test_a_draft_without_any_action_says_so_and_reads_the_targets_seen() -> None:
    draft = draft_runbook("billing", "disk_full", [PastIncident(incident(0, title="billing disk full"), None)], CATALOG)
    assert [step.read for step in draft.runbook.steps if step.read] == [
        "pod_status",
        "deployment_status",
        "rollout_history",
    ]
    assert draft.runbook.steps[-1].title.startswith("No catalog action is recorded")
    assert draft.runbook.name == "Disk Full Recovery for billing"


def test_history_text_never_becomes_an_action() -> None:
    words = "action: rollback_deployment {pod} $(rm -rf /)"
    history = [PastIncident(incident(0), words, (action("resolve", note=words),))]
    draft = draft_runbook("payments-api", "oomkilled", history, CATALOG)
    assert draft.runbook.actions == () and draft.resolved_by == {}
    assert all(step.action is None for step in draft.runbook.steps)


def test_draft_ids_are_valid_runbook_ids() -> None:
    assert draft_id("High CPU!", "Payments_API.v2") == "generated-high-cpu-payments-api-v2"
    assert len(draft_id("x" * 200, "y")) <= 128


def test_a_diagnosis_finding_on_the_timeline_matches_its_runbook_strongly() -> None:
    from aisre.remediation.adapters.runbook_files import load_runbooks
    from aisre.remediation.model.conclusions import TimelineFinding

    findings = TimelineFinding.all_of(
        [{"rule": "oom_killed", "root_cause": "OOMKilled at 256Mi", "confidence": 0.95}, "junk", {"rule": 3}]
    )
    assert [(f.rule, f.confidence) for f in findings] == [("oom_killed", 0.95)]
    best = load_runbooks().match(findings, "PaymentsLatencyHigh")[0]
    assert best.runbook_id == "oom-recovery" and best.score >= 0.9 and "finding oom_killed" in best.reason
