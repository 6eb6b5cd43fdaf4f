"""A workflow's steps checked as a whole, every error naming its step; dependencies by order or depends_on; the
layers of steps that run side by side; a run's context checked against the steps that read it."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aisre.workflows.errors import WorkflowDefinitionError
from aisre.workflows.model.arguments import check_run
from aisre.workflows.model.catalog import STEP_TYPES, field_problem, resolve_replicas, step_fields
from aisre.workflows.model.definition import WorkflowStep, check_workflow, dependencies, layers


def step(name: str, step_type: str = "inspect_pod", order: int = 0, **extra: Any) -> WorkflowStep:
    return WorkflowStep(name=name, step_type=step_type, order=order, **extra)


def refused(steps: list[WorkflowStep]) -> WorkflowDefinitionError:
    with pytest.raises(WorkflowDefinitionError) as caught:
        check_workflow(steps)
    return caught.value


def test_an_unknown_step_type_is_named_with_its_step_and_the_catalog():
    error = refused([step("look", order=1), step("fix_it", "delete_namespace", order=2)])
    assert error.details == {"step": "fix_it"} and error.field == "steps.fix_it.step_type"
    assert "'fix_it'" in error.message and "delete_namespace" in error.message and "scale_deployment" in error.message


def test_a_cycle_in_depends_on_is_named_with_the_path_that_closes_it():
    error = refused(
        [
            step("a", depends_on=("c",)),
            step("b", depends_on=("a",)),
            step("c", depends_on=("b",)),
            step("d", depends_on=()),
        ]
    )
    assert error.field == "steps.a.depends_on" and error.details == {"step": "a"}
    assert "a -> c -> b -> a" in error.message


def test_a_cycle_through_an_implicit_dependency_is_found_too():
    # b (order 2) waits for a (order 1) by order; a waits for b explicitly.
    error = refused([step("a", order=1, depends_on=("b",)), step("b", order=2)])
    assert error.details["step"] in ("a", "b") and "cycle" in error.message


@pytest.mark.parametrize(
    ("steps", "where", "words"),
    [
        ([step("a"), step("a")], "steps.a.name", "another step has this name"),
        ([step("a", depends_on=("a",))], "steps.a.depends_on", "depends on itself"),
        ([step("a", depends_on=("ghost",))], "steps.a.depends_on", "'ghost', which is not a step"),
        ([step("Bad Name")], "steps.name", "lowercase"),
        ([step("s", "scale_deployment", config={"replicas": "lots"})], "steps.s.config.replicas", "replica count"),
        ([step("s", "scale_deployment", config={"image": "x"})], "steps.s.config.image", "takes no 'image'"),
        ([step("p", config={"namespace": "Kube-System"})], "steps.p.config.namespace", "not a namespace"),
        ([step("p", config={"pod_name": ["x"]})], "steps.p.config.pod_name", "not a Kubernetes name"),
    ],
)
def test_each_fault_names_its_step_and_field(steps: list[WorkflowStep], where: str, words: str):
    error = refused(steps)
    assert error.field == where and words in error.message


def test_too_many_or_too_large_steps_are_refused():
    assert "at most 40" in refused([step(f"s{i}") for i in range(41)]).message
    big = {"issue": "x" * 30_000, "current_spec": "y" * 30_000}
    many = [step(f"s{i}", "suggest_config_fix", config=big) for i in range(3)]
    assert "more than" in refused(many).message


def test_steps_without_depends_on_follow_the_next_lower_order():
    steps = [
        step("a", order=1),
        step("b", order=2),
        step("c", order=2),
        step("d", order=5),
        step("e", order=9, depends_on=()),
    ]
    assert dependencies(steps) == {"a": (), "b": ("a",), "c": ("a",), "d": ("b", "c"), "e": ()}
    check_workflow(steps)
    assert [[s.name for s in layer] for layer in layers(steps)] == [["a", "e"], ["b", "c"], ["d"]]


def test_layers_put_independent_steps_side_by_side():
    steps = [
        step("inspect", order=1),
        step("deploy", "inspect_deployment", order=1),
        step("propose", "suggest_config_fix", order=2, depends_on=("inspect",)),
        step("scale", "scale_deployment", order=2, depends_on=("inspect", "deploy")),
        step("check", "check_deployment", order=3, depends_on=("scale",)),
    ]
    check_workflow(steps)
    assert [[s.name for s in layer] for layer in layers(steps)] == [
        ["deploy", "inspect"],
        ["propose", "scale"],
        ["check"],
    ]


@st.composite
def acyclic(draw: st.DrawFn) -> list[WorkflowStep]:
    count = draw(st.integers(1, 12))
    found = []
    for index in range(count):
        earlier = [f"s{i}" for i in range(index)]
        explicit = draw(st.booleans())
        depends = tuple(draw(st.lists(st.sampled_from(earlier), unique=True))) if explicit and earlier else None
        found.append(step(f"s{index}", order=draw(st.integers(0, 4)) if depends is None else 0, depends_on=depends))
    return found


@given(acyclic())
def test_every_step_comes_after_all_it_depends_on(steps: list[WorkflowStep]):
    # Implicit order can still make cycles with explicit dependencies; those must be refused, not layered wrongly.
    try:
        check_workflow(steps)
    except WorkflowDefinitionError as error:
        assert "cycle" in error.message
        return
    position = {s.name: index for index, layer in enumerate(layers(steps)) for s in layer}
    assert set(position) == {s.name for s in steps}
    for name, needs in dependencies(steps).items():
        assert all(position[need] < position[name] for need in needs)


def test_a_steps_fields_come_from_its_config_then_the_context_then_fallbacks():
    spec = STEP_TYPES["suggest_config_fix"]
    context = {"namespace": "shop", "deployment_name": "checkout", "issue": "from context"}
    assert step_fields(spec, {"issue": "OOMKilled"}, context) == {"component": "checkout", "issue": "OOMKilled"}
    assert step_fields(STEP_TYPES["scale_deployment"], {"replicas": "+1"}, context) == {
        "namespace": "shop",
        "deployment_name": "checkout",
        "replicas": "+1",
    }


def test_replicas_may_be_relative_and_never_go_below_zero():
    assert field_problem("replicas", "+1") is None and field_problem("replicas", 3) is None
    assert field_problem("replicas", True) is not None and field_problem("replicas", "1") is not None
    assert resolve_replicas("+1", 2) == 3 and resolve_replicas("-5", 2) == 0 and resolve_replicas(4, 2) == 4


def test_a_run_context_missing_a_field_names_the_step_and_the_field():
    steps = [step("inspect", order=1), step("scale", "scale_deployment", order=2, config={"replicas": "+1"})]
    with pytest.raises(WorkflowDefinitionError) as caught:
        check_run(steps, {"namespace": "shop", "pod_name": "api-1"})
    assert caught.value.field == "context.deployment_name" and caught.value.details == {"step": "scale"}
    with pytest.raises(WorkflowDefinitionError) as caught:
        check_run(steps, {"namespace": "shop", "pod_name": "API 1", "deployment_name": "api"})
    assert caught.value.field == "context.pod_name" and caught.value.details == {"step": "inspect"}
    check_run(steps, {"namespace": "shop", "pod_name": "api-1", "deployment_name": "api", "service": "api"})


@pytest.mark.parametrize(
    "context",
    [{"nested": {"a": 1}}, {"bad key": "x"}, {f"k{i}": i for i in range(60)}, {"big": "x" * 70_000}],
)
def test_a_context_that_is_not_a_small_flat_object_is_refused(context: dict[str, Any]):
    with pytest.raises(WorkflowDefinitionError):
        check_run([step("inspect")], {"namespace": "shop", "pod_name": "api-1", **context})
