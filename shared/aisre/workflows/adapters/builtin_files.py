"""The built-in workflows from their YAML files (workflows/builtin/), read once per process, and their state
machines' definitions (infra/statemachines/<id>.asl.json), which are these files compiled.

`python -m aisre.workflows.adapters.builtin_files [project root]` (`make statemachines`) writes the definitions;
tests/unit/test_workflow_builtins.py fails when a definition is not its file compiled.
"""

from __future__ import annotations

import json
import sys
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from aisre.workflows.model.compiler import BUILTIN_TARGETS, compile_workflow
from aisre.workflows.model.definition import Workflow, WorkflowStep, check_workflow

BUILTIN_DIR = Path(__file__).resolve().parent.parent / "builtin"


def workflow_from_data(data: dict[str, Any]) -> Workflow:
    steps = tuple(WorkflowStep.model_validate(step) for step in data.get("steps") or [])
    check_workflow(steps)
    return Workflow(
        id=str(data["id"]),
        name=str(data["name"]),
        description=str(data.get("description") or "").strip(),
        steps=steps,
        builtin=True,
        config={"context": list(data.get("context") or [])},
    )


@lru_cache(maxsize=4)
def load_builtins(directory: Path = BUILTIN_DIR) -> tuple[Workflow, ...]:
    found = []
    for path in sorted(directory.glob("*.yaml")):
        try:
            found.append(workflow_from_data(yaml.safe_load(path.read_text())))
        except (ValueError, KeyError, yaml.YAMLError) as error:
            raise ValueError(f"{path.name}: {error}") from error
    return tuple(found)


def builtin_definition(workflow: Workflow) -> str:
    """The state machine's definition file of a built-in, as written under infra/statemachines/."""
    definition = compile_workflow(workflow.steps, BUILTIN_TARGETS, comment=f"{workflow.name}: {workflow.description}")
    return json.dumps(definition, indent=2) + "\n"


def write_definitions(project_root: Path) -> list[Path]:
    written = []
    for workflow in load_builtins():
        path = project_root / "infra" / "statemachines" / f"{workflow.id}.asl.json"
        path.write_text(builtin_definition(workflow), encoding="utf-8")
        written.append(path)
    return written


if __name__ == "__main__":
    for written_path in write_definitions(Path(sys.argv[1] if len(sys.argv) > 1 else ".").resolve()):
        print(written_path)
