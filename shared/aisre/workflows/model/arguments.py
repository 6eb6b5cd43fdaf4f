"""A run's context (seed 001: namespace, pod_name, deployment_name, service...) checked against the steps that
will read it, before anything starts: a field a step needs and neither its config nor the context gives, or a
value that is not a Kubernetes name, is a 422 naming the step and the field."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

from aisre.workflows.errors import WorkflowDefinitionError
from aisre.workflows.model.catalog import FALLBACKS, field_problem, step_fields
from aisre.workflows.model.definition import WorkflowStep

MAX_CONTEXT_BYTES = 65_536
MAX_CONTEXT_KEYS = 50
_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")


def check_context(context: Mapping[str, Any]) -> None:
    """The context itself: a flat object of at most 50 named values (text, numbers, booleans), 64 KiB."""
    if len(context) > MAX_CONTEXT_KEYS:
        raise WorkflowDefinitionError(f"context has more than {MAX_CONTEXT_KEYS} fields", field="context")
    for key, value in context.items():
        if not _KEY.match(str(key)):
            raise WorkflowDefinitionError(f"context field name {key!r} is not an identifier", field="context")
        if value is not None and not isinstance(value, str | int | float | bool):
            raise WorkflowDefinitionError(f"context.{key} must be text, a number or a boolean", field=f"context.{key}")
    if len(json.dumps(dict(context)).encode()) > MAX_CONTEXT_BYTES:
        raise WorkflowDefinitionError(f"context is larger than {MAX_CONTEXT_BYTES} bytes", field="context")


def check_run(steps: Sequence[WorkflowStep], context: Mapping[str, Any]) -> None:
    """Every step finds the fields it needs, each a usable value; the first at fault is named (step, field)."""
    check_context(context)
    for step in steps:
        spec = step.type
        fields = step_fields(spec, step.config, context)
        for name in spec.required:
            if name not in fields:
                also = "".join(f" or context.{other}" for other in FALLBACKS.get(name, ()))
                raise WorkflowDefinitionError(
                    f"step {step.name!r} ({spec.name}) needs {name}: give context.{name}{also}, or config.{name}",
                    field=f"context.{name}",
                    details={"step": step.name},
                )
        for name, value in fields.items():
            problem = field_problem(name, value)
            if problem is not None:
                where = f"steps.{step.name}.config.{name}" if name in step.config else f"context.{name}"
                raise WorkflowDefinitionError(
                    f"step {step.name!r}: {name}: {problem}", field=where, details={"step": step.name}
                )
