"""The compiler: steps and depends_on into Amazon States Language. Layers of independent steps become Parallel
states; a write waits for its approval on a task token (dry runs skip it); every failure reaches the
compensation; the built-ins' definitions under infra/statemachines/ are their YAML compiled."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from aisre.remediation.model.actions import CATALOG
from aisre.workflows.adapters.builtin_files import builtin_definition, load_builtins
from aisre.workflows.model.catalog import STEP_TYPES, StepKind
from aisre.workflows.model.compiler import (
    COMPENSATE,
    FAILED,
    LAMBDA_CALLBACK,
    SUCCEEDED,
    UNDO,
    Targets,
    compile_workflow,
)
from aisre.workflows.model.definition import WorkflowStep

ROOT = Path(__file__).resolve().parents[2]
TARGETS = Targets("arn:actions", "arn:steps")


def step(name: str, step_type: str, order: int = 0, **extra: Any) -> WorkflowStep:
    return WorkflowStep(name=name, step_type=step_type, order=order, **extra)


def every_state(states: dict[str, Any]) -> dict[str, Any]:
    """The states, with those inside Parallel branches and Map processors."""
    found = {}
    for name, state in states.items():
        found[name] = state
        for branch in state.get("Branches", []):
            found.update(every_state(branch["States"]))
        if "ItemProcessor" in state:
            found.update(every_state(state["ItemProcessor"]["States"]))
    return found


def test_a_sequence_of_reads_is_a_chain_of_tasks_ending_in_success():
    definition = compile_workflow([step("a", "inspect_pod", 1), step("b", "inspect_deployment", 2)], TARGETS)
    states = definition["States"]
    assert definition["StartAt"] == "a" and states["a"]["Next"] == "b" and states["b"]["Next"] == SUCCEEDED
    task = states["a"]
    assert task["Parameters"]["FunctionName"] == "arn:steps"
    assert task["Parameters"]["Payload"]["task"] == "inspect_pod"
    assert task["Parameters"]["Payload"]["step"] == {"name": "a", "type": "inspect_pod", "config": {}}
    assert task["ResultPath"] is None  # steps share the context, not each other's outputs
    assert task["Catch"] == [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.failure", "Next": COMPENSATE}]
    assert "StorageError" in task["Retry"][0]["ErrorEquals"]


def test_independent_steps_run_side_by_side_in_a_parallel_state():
    steps = [
        step("pod", "inspect_pod", 1),
        step("deployment", "inspect_deployment", 1),
        step("fix", "suggest_config_fix", 2),
    ]
    states = compile_workflow(steps, TARGETS)["States"]
    layer = states["Layer 1"]
    assert layer["Type"] == "Parallel" and layer["ResultPath"] is None and layer["Next"] == "fix"
    assert [branch["StartAt"] for branch in layer["Branches"]] == ["deployment", "pod"]
    for branch in layer["Branches"]:
        (only,) = branch["States"].values()
        assert only["End"] is True and "Catch" not in only  # the Parallel catches for its branches
    assert layer["Catch"][0]["Next"] == COMPENSATE


def test_a_write_waits_for_its_approval_unless_the_run_is_dry():
    states = compile_workflow([step("scale_up", "scale_deployment", 1, config={"replicas": "+1"})], TARGETS)["States"]
    mode = states["scale_up#mode"]
    assert mode["Type"] == "Choice"
    assert mode["Choices"] == [{"Variable": "$.run.dry_run", "BooleanEquals": True, "Next": "scale_up#dry_run"}]
    assert mode["Default"] == "scale_up#approval"
    gate = states["scale_up#approval"]
    assert gate["Resource"] == LAMBDA_CALLBACK and gate["Next"] == "scale_up"
    assert gate["Parameters"]["Payload"]["workflow"]["token.$"] == "$$.Task.Token"
    assert gate["TimeoutSecondsPath"] == "$.run.approval_timeout_seconds" and gate["ResultPath"] == "$.approval"
    act = states["scale_up"]["Parameters"]["Payload"]["workflow"]
    assert act["task"] == "action" and act["approval_id.$"] == "$.approval.approval_id"
    assert "approval_id.$" not in states["scale_up#dry_run"]["Parameters"]["Payload"]["workflow"]
    assert states["scale_up"]["Next"] == states["scale_up#dry_run"]["Next"] == SUCCEEDED
    assert {"ActionRateLimitedError"} <= {e for retry in states["scale_up"]["Retry"] for e in retry["ErrorEquals"]}


def test_advice_and_reads_never_wait_for_an_approval():
    states = every_state(
        compile_workflow([step("fix", "suggest_config_fix"), step("c", "check_deployment", 1)], TARGETS)["States"]
    )
    assert not any(name.endswith("#approval") for name in states)
    check_retries = {e for retry in states["c"]["Retry"] for e in retry["ErrorEquals"]}
    assert "WorkloadUnhealthyError" in check_retries


def test_a_failure_plans_the_compensation_undoes_one_at_a_time_then_fails_with_the_failure():
    states = compile_workflow([step("a", "inspect_pod")], TARGETS)["States"]
    plan = states[COMPENSATE]
    payload = plan["Parameters"]["Payload"]
    assert payload["task"] == "plan_compensation" and payload["execution_arn.$"] == "$$.Execution.Id"
    assert plan["ResultPath"] == "$.compensation" and plan["Next"] == UNDO
    undo = states[UNDO]
    assert undo["Type"] == "Map" and undo["MaxConcurrency"] == 1 and undo["ItemsPath"] == "$.compensation.undo"
    assert undo["Next"] == FAILED
    assert states[FAILED] == {"Type": "Fail", "ErrorPath": "$.compensation.error", "CausePath": "$.compensation.cause"}


def test_every_transition_names_a_state_of_its_own_scope():
    steps = [
        step("a", "inspect_pod", 1),
        step("b", "scale_deployment", 2, config={"replicas": 3}),
        step("c", "restart_pod", 2),
        step("d", "check_deployment", 3),
    ]

    def check(states: dict[str, Any]) -> None:
        for state in states.values():
            targets = [state.get("Next"), state.get("Default")] + [c["Next"] for c in state.get("Choices", [])]
            targets += [c["Next"] for c in state.get("Catch", [])]
            assert all(target in states for target in targets if target), state
            assert state["Type"] in ("Choice", "Succeed", "Fail") or "Next" in state or state.get("End")
            for branch in state.get("Branches", []):
                assert branch["StartAt"] in branch["States"]
                check(branch["States"])

    definition = compile_workflow(steps, TARGETS)
    assert definition["StartAt"] in definition["States"]
    check(definition["States"])
    assert len(json.dumps(definition)) < 1_000_000


def test_every_action_step_is_a_catalog_action_and_every_write_can_be_approved():
    actions = {name for name, spec in STEP_TYPES.items() if spec.kind is StepKind.ACTION}
    assert actions == set(CATALOG)
    for name in actions:
        assert STEP_TYPES[name].writes == CATALOG[name].executable


@pytest.mark.parametrize("workflow", load_builtins(), ids=lambda workflow: workflow.id)
def test_the_builtin_definitions_are_their_yaml_compiled(workflow):  # type: ignore[no-untyped-def]
    path = ROOT / "infra" / "statemachines" / f"{workflow.id}.asl.json"
    assert path.read_text(encoding="utf-8") == builtin_definition(workflow), "run `make statemachines`"


def test_the_builtins_are_seed_001s():
    found = {workflow.id: workflow for workflow in load_builtins()}
    assert list(found) == ["oom_recovery", "crashloop_triage"]
    assert len(found["oom_recovery"].steps) == 5 and len(found["crashloop_triage"].steps) == 4
    oom = {s.name: s.step_type for s in found["oom_recovery"].steps}
    assert oom["scale_up"] == "scale_deployment" and oom["verify_recovery"] == "check_deployment"
