"""A workflow: named steps from the catalog, each after the steps it depends on. Checked as a whole (every error
names its step), ordered into layers of steps that may run side by side.

Dependencies: a step's `depends_on` names the steps it waits for; without one (null), it waits for the steps of
the highest `order` below its own, so steps numbered 1, 2, 3 run one after another and two steps of the same order
run side by side. `depends_on: []` starts a step at once.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from aisre.workflows.errors import WorkflowDefinitionError
from aisre.workflows.model.catalog import STEP_TYPES, StepType, field_problem

MAX_STEPS = 40
# The steps are stored inline (DynamoDB's item limit is 400 KB) and a write step's config appears thrice in the
# compiled definition (Step Functions' limit is 1 MB): 128 KiB of steps keeps both well inside.
MAX_STEPS_BYTES = 131_072
STEP_NAME = re.compile(r"^[a-z][a-z0-9_-]{0,62}$")


class WorkflowStep(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: str
    step_type: str
    order: int = 0
    config: dict[str, Any] = Field(default_factory=dict)
    depends_on: tuple[str, ...] | None = None
    description: str = ""
    agent_id: str | None = None  # seed 002's field: kept as given; no agent runs a step here

    @property
    def type(self) -> StepType:
        return STEP_TYPES[self.step_type]


class Workflow(BaseModel):
    """A built-in (workspace None, `builtin`) or a workspace's own workflow."""

    id: str
    name: str
    description: str = ""
    steps: tuple[WorkflowStep, ...] = ()
    builtin: bool = False
    workspace_id: str | None = None
    is_template: bool = False
    config: dict[str, Any] = Field(default_factory=dict)
    created_by: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    version: int = 0
    # The state machines compiled for it so far (one per distinct definition), deleted with it.
    state_machine_arns: tuple[str, ...] = ()

    def step(self, name: str) -> WorkflowStep | None:
        return next((step for step in self.steps if step.name == name), None)


def _fail(step: str, message: str, what: str = "step") -> WorkflowDefinitionError:
    return WorkflowDefinitionError(f"step {step!r}: {message}", field=f"steps.{step}.{what}", details={"step": step})


def check_step(step: WorkflowStep) -> None:
    """The step on its own: its name, a step type of the catalog, a config of fields that type takes."""
    if not STEP_NAME.match(step.name):
        raise WorkflowDefinitionError(
            f"step name {step.name!r} must be 1 to 63 lowercase letters, digits, '-' or '_', starting with a letter",
            field="steps.name",
            details={"step": step.name},
        )
    spec = STEP_TYPES.get(step.step_type)
    if spec is None:
        known = ", ".join(sorted(STEP_TYPES))
        raise _fail(step.name, f"unknown step type {step.step_type!r}; known: {known}", "step_type")
    for key, value in step.config.items():
        if key not in spec.fields:
            raise _fail(step.name, f"{spec.name} takes no {key!r} (it takes {', '.join(spec.fields)})", f"config.{key}")
        problem = field_problem(key, value)
        if problem is not None:
            raise _fail(step.name, f"config.{key}: {problem}", f"config.{key}")


def dependencies(steps: Sequence[WorkflowStep]) -> dict[str, tuple[str, ...]]:
    """Each step's dependencies: its own `depends_on`, or the steps of the highest order below its own."""
    found: dict[str, tuple[str, ...]] = {}
    for step in steps:
        if step.depends_on is not None:
            found[step.name] = tuple(step.depends_on)
            continue
        lower = [other.order for other in steps if other.order < step.order]
        before = max(lower) if lower else None
        found[step.name] = tuple(other.name for other in steps if before is not None and other.order == before)
    return found


def _cycle(graph: Mapping[str, tuple[str, ...]], names: Sequence[str]) -> list[str] | None:
    """A cycle of the graph as the path that closes it (a, b, a), or None."""
    state: dict[str, int] = {}  # 1 on the path, 2 done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for successor in graph.get(node, ()):
            if state.get(successor) == 1:
                return [*path[path.index(successor) :], successor]
            if state.get(successor) is None:
                found = visit(successor)
                if found:
                    return found
        path.pop()
        state[node] = 2
        return None

    for name in names:
        if state.get(name) is None:
            found = visit(name)
            if found:
                return found
    return None


def check_workflow(steps: Sequence[WorkflowStep]) -> None:
    """The steps as a whole; WorkflowDefinitionError (422) naming the first step at fault."""
    if len(steps) > MAX_STEPS:
        raise WorkflowDefinitionError(f"a workflow has at most {MAX_STEPS} steps", field="steps")
    size = len(json.dumps([step.model_dump(mode="json") for step in steps]).encode())
    if size > MAX_STEPS_BYTES:
        raise WorkflowDefinitionError(f"the steps take {size} bytes, more than {MAX_STEPS_BYTES}", field="steps")
    seen: set[str] = set()
    for step in steps:
        check_step(step)
        if step.name in seen:
            raise _fail(step.name, "another step has this name", "name")
        seen.add(step.name)
    graph = dependencies(steps)
    for step in steps:
        for dependency in graph[step.name]:
            if dependency == step.name:
                raise _fail(step.name, "depends on itself", "depends_on")
            if dependency not in seen:
                raise _fail(step.name, f"depends on {dependency!r}, which is not a step of this workflow", "depends_on")
    cycle = _cycle(graph, [step.name for step in steps])
    if cycle:
        raise _fail(cycle[0], "its dependencies form a cycle: " + " -> ".join(cycle), "depends_on")


def layers(steps: Sequence[WorkflowStep]) -> list[list[WorkflowStep]]:
    """The steps in layers: each layer's steps depend only on earlier layers' (run side by side); within a
    layer, by order then name. The steps must have passed check_workflow."""
    graph = dependencies(steps)
    done: set[str] = set()
    remaining = sorted(steps, key=lambda step: (step.order, step.name))
    found: list[list[WorkflowStep]] = []
    while remaining:
        ready = [step for step in remaining if all(dependency in done for dependency in graph[step.name])]
        if not ready:  # unreachable after check_workflow; a guard rather than a loop forever
            raise _fail(remaining[0].name, "its dependencies form a cycle", "depends_on")
        found.append(ready)
        done.update(step.name for step in ready)
        remaining = [step for step in remaining if step.name not in done]
    return found
