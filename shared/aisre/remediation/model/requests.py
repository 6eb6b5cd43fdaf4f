"""An action someone asks for: the catalog action, its arguments checked against the catalog's schema, and how
it is to run (dry run, approved). Built only from an operator's request or a stored approval, never from text."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict

from aisre.core.errors import ValidationError
from aisre.remediation.model.actions import CATALOG, ActionSpec, argument_problems

# The request fields (seed 001's body) that carry each catalog argument. Arguments the platform reads itself
# (current_replicas: from the cluster's scale subresource) have no field: a caller cannot state them.
ARGUMENT_FIELDS: dict[str, str] = {
    "namespace": "namespace",
    "pod_name": "pod_name",
    "deployment_name": "deployment_name",
    "replicas": "replicas",
    "revision": "revision",
    "component": "component",
    "issue": "issue",
    "current_spec": "current_spec",
}
# The argument that names what an action acts on, by action: rate limits per target count on it.
TARGET_ARGUMENT = {
    "restart_pod": "pod_name",
    "scale_deployment": "deployment_name",
    "rollback_deployment": "deployment_name",
}


class ActionRequest(BaseModel):
    """A catalog action with arguments that fit its schema (see `action_request`)."""

    model_config = ConfigDict(frozen=True)

    action: str
    arguments: dict[str, Any]
    incident_id: str | None = None
    dry_run: bool = True
    approved: bool = False

    @property
    def spec(self) -> ActionSpec:
        return CATALOG[self.action]

    @property
    def namespace(self) -> str | None:
        value = self.arguments.get("namespace")
        return value if isinstance(value, str) else None

    @property
    def target(self) -> str | None:
        """The pod or deployment acted on; None for advice."""
        name = TARGET_ARGUMENT.get(self.action)
        value = self.arguments.get(name) if name else None
        return value if isinstance(value, str) else None

    def target_fields(self) -> dict[str, Any]:
        """The request fields naming the target, as the response repeats them (seed 001)."""
        return {ARGUMENT_FIELDS[name]: value for name, value in self.arguments.items() if name in ARGUMENT_FIELDS}


def action_request(
    action: str,
    fields: Mapping[str, Any],
    *,
    incident_id: str | None = None,
    dry_run: bool = True,
    approved: bool = False,
) -> ActionRequest:
    """The request for `action` from the body's fields; ValidationError (422) names the first field at fault:
    an unknown action names `action`, a missing or malformed target names its own field.

    Empty fields count as absent: seed 001's body defaults every text field to "". Fields the action does not
    take are ignored (a client may send the whole body whatever the action)."""
    spec = CATALOG.get(action)
    if spec is None:
        known = ", ".join(sorted(CATALOG))
        raise ValidationError(f"unknown action {action!r}; known actions: {known}", field="action")
    arguments: dict[str, Any] = {}
    for argument in spec.arguments:
        field = ARGUMENT_FIELDS.get(argument.name)
        if field is None:
            continue
        value = fields.get(field)
        if value is None and argument.allow_empty:
            value = ""
        if value is None or (isinstance(value, str) and not value and not argument.allow_empty):
            if argument.required:
                raise ValidationError(f"{field} is required for {action}", field=field)
            continue
        arguments[argument.name] = value
    problems = argument_problems(spec, arguments)
    if problems:
        field = next((name for name in ARGUMENT_FIELDS if f"'{name}'" in problems[0]), None)
        raise ValidationError(problems[0], field=field, details={"problems": problems})
    return ActionRequest(
        action=action, arguments=arguments, incident_id=incident_id or None, dry_run=dry_run, approved=approved
    )


def canonical_arguments(arguments: Mapping[str, Any]) -> str:
    return json.dumps(dict(arguments), sort_keys=True, separators=(",", ":"), default=str)


def suggestion_key(action: str, arguments: Mapping[str, Any]) -> str:
    """The same for a diagnosis' suggested action and an approval asked for it: how the two are matched."""
    digest = hashlib.sha256(f"{action}\n{canonical_arguments(arguments)}".encode()).hexdigest()
    return f"{action}:{digest[:16]}"


def request_fingerprint(request: ActionRequest, principal: str) -> str:
    """What makes two requests "the same request" for idempotency: who asked, what, on which incident."""
    text = "\n".join((principal, request.action, canonical_arguments(request.arguments), request.incident_id or ""))
    return hashlib.sha256(text.encode()).hexdigest()
