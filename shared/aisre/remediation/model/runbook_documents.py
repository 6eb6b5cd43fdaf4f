"""A runbook as a document (the YAML of remediation/runbooks/, an imported file, a draft being saved): validated
field by field into a Runbook, every refusal naming the field (`steps[2].action`), and written back out.

Strict on purpose. A step runs only what it names explicitly: a read of model/runbook_reads.py or an action of the
catalog (model/actions.py), on the incident's own target; an unknown key is refused rather than ignored, so that
a misspelt `acton:` cannot quietly turn a step into text, nor a misspelt `read:` into nothing.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from aisre.core.errors import ValidationError
from aisre.remediation.model.actions import CATALOG, ArgumentType
from aisre.remediation.model.runbook_reads import READS
from aisre.remediation.model.runbooks import Runbook, RunbookStep, step_spec

RUNBOOK_ID = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,126}[a-z0-9])?$")
# Words of the API's own paths under /runbooks and /incidents/{id}/runbooks.
RESERVED_IDS = frozenset({"all", "generate", "import", "runs"})
MAX_STEPS = 30
MAX_TERMS = 50
LIMITS = {"name": 200, "description": 4000, "title": 300, "command": 1000, "term": 200}
# The arguments a step may state: never the target (namespace, pod, deployment: the incident's), nor what only
# the cluster knows (current_replicas).
STEP_ARGUMENTS = frozenset({"replicas", "revision"})
_TOP_KEYS = frozenset({"id", "name", "description", "rules", "alertnames", "keywords", "services", "steps"})
_STEP_KEYS = frozenset({"title", "command", "action", "read", "arguments", "use"})
# Shown with each step (step_specs) and so sent back with a draft; derived from read and action, never taken.
_DERIVED_STEP_KEYS = frozenset({"kind"})


class RunbookSource(StrEnum):
    BUILTIN = "builtin"  # remediation/runbooks/*.yaml, shipped with the platform
    GENERATED = "generated"  # drafted from the workspace's history, then approved
    IMPORTED = "imported"  # POST /runbooks/import


@dataclass(frozen=True)
class StoredRunbook:
    """A runbook and where it comes from: the platform's catalog, or a workspace's saved ones."""

    runbook: Runbook
    source: RunbookSource
    workspace_id: str | None = None
    saved_by: str | None = None
    saved_at: datetime | None = None
    version: int = 0


def _key(name: object) -> str:
    """A key as a field's name: as it is when it is a plain word, else quoted (an empty key still names something)."""
    text = str(name)
    return text if re.fullmatch(r"[A-Za-z0-9_-]+", text) else repr(text)


def _fail(field: str, message: str) -> ValidationError:
    return ValidationError(f"{field}: {message}", field=field)


def _text(data: Mapping[str, Any], key: str, field: str, *, required: bool, limit: int) -> str | None:
    value = data.get(key)
    if value is None:
        if required:
            raise _fail(field, "is required")
        return None
    if not isinstance(value, str):
        raise _fail(field, f"must be text, got {type(value).__name__}")
    value = value.strip()
    if required and not value:
        raise _fail(field, "must not be empty")
    if len(value) > limit:
        raise _fail(field, f"is longer than {limit} characters")
    return value


def _terms(data: Mapping[str, Any], key: str, field: str) -> tuple[str, ...]:
    value = data.get(key)
    if value is None:
        return ()
    if not isinstance(value, list):
        raise _fail(field, "must be a list")
    if len(value) > MAX_TERMS:
        raise _fail(field, f"has more than {MAX_TERMS} entries")
    terms = []
    for index, item in enumerate(value):
        if not isinstance(item, str | int | float) or isinstance(item, bool) or not str(item).strip():
            raise _fail(f"{field}[{index}]", "must be a non-empty word")
        if len(str(item)) > LIMITS["term"]:
            raise _fail(f"{field}[{index}]", f"is longer than {LIMITS['term']} characters")
        terms.append(str(item).strip())
    return tuple(terms)


def _arguments(data: Mapping[str, Any], action: str | None, field: str) -> dict[str, Any]:
    value = data.get("arguments")
    if value is None:
        return {}
    if action is None:
        raise _fail(field, "only a step with an action takes arguments")
    if not isinstance(value, Mapping):
        raise _fail(field, "must be a mapping")
    spec = CATALOG[action]
    arguments: dict[str, Any] = {}
    for name, given in value.items():
        argument = spec.argument(str(name))
        if str(name) not in STEP_ARGUMENTS or argument is None:
            allowed = sorted(STEP_ARGUMENTS & {a.name for a in spec.arguments})
            raise _fail(
                f"{field}.{_key(name)}",
                f"{action} takes no argument {name!r} here (the target is the incident's own); "
                f"allowed: {', '.join(allowed) or 'none'}",
            )
        if argument.type is ArgumentType.INTEGER:
            if not isinstance(given, int) or isinstance(given, bool):
                raise _fail(f"{field}.{name}", f"must be an integer, got {type(given).__name__}")
            if argument.minimum is not None and given < argument.minimum:
                raise _fail(f"{field}.{name}", f"must be at least {argument.minimum}")
        arguments[str(name)] = given
    return arguments


def parse_step(data: Any, field: str, shared_steps: Mapping[str, RunbookStep] | None = None) -> RunbookStep:
    """One step: a mapping (title, command, read or action, arguments), `{use: <shared step>}`, or plain text (an
    instruction for a person: it runs nothing, whatever it says)."""
    if isinstance(data, str):
        title = _text({"title": data}, "title", field, required=True, limit=LIMITS["title"])
        return RunbookStep(title=str(title))
    if not isinstance(data, Mapping):
        raise _fail(field, "must be a mapping or text")
    data = {key: value for key, value in data.items() if key not in _DERIVED_STEP_KEYS}
    unknown = sorted(_key(key) for key in data if key not in _STEP_KEYS)
    if unknown:
        raise _fail(f"{field}.{unknown[0]}", f"unknown key; a step has {', '.join(sorted(_STEP_KEYS))}")
    if "use" in data:
        name = data["use"]
        if len(data) > 1:
            raise _fail(field, "a step that uses a shared step has no other keys")
        if not isinstance(name, str) or name not in (shared_steps or {}):
            known = ", ".join(sorted(shared_steps or {})) or "none"
            raise _fail(f"{field}.use", f"unknown shared step {name!r}; known: {known}")
        return (shared_steps or {})[name]
    title = str(_text(data, "title", f"{field}.title", required=True, limit=LIMITS["title"]))
    command = _text(data, "command", f"{field}.command", required=False, limit=LIMITS["command"]) or None
    action, read = data.get("action"), data.get("read")
    if action is not None and read is not None:
        raise _fail(f"{field}.read", "a step either reads or acts, not both")
    if action is not None and (not isinstance(action, str) or action not in CATALOG):
        raise _fail(f"{field}.action", f"unknown action {action!r}; known actions: {', '.join(sorted(CATALOG))}")
    if read is not None and (not isinstance(read, str) or read not in READS):
        raise _fail(f"{field}.read", f"unknown read {read!r}; known reads: {', '.join(sorted(READS))}")
    arguments = _arguments(data, action, f"{field}.arguments")
    return RunbookStep(title=title, command=command, action=action, read=read, arguments=arguments)


def parse_runbook(
    data: Any,
    *,
    shared_steps: Mapping[str, RunbookStep] | None = None,
    field_prefix: str = "",
    steps_field: str = "steps",
) -> Runbook:
    """A Runbook from its document; ValidationError (422) names the first field at fault, under `field_prefix`
    (`runbook.` for a body that nests it), its steps as `steps_field` calls them (the body's own name for them)."""
    if not isinstance(data, Mapping):
        raise _fail(field_prefix.rstrip(".") or "runbook", "must be a mapping of id, name, description, steps")
    unknown = sorted(_key(key) for key in data if key not in _TOP_KEYS)
    if unknown:
        raise _fail(f"{field_prefix}{unknown[0]}", f"unknown key; a runbook has {', '.join(sorted(_TOP_KEYS))}")
    runbook_id = data.get("id")
    if not isinstance(runbook_id, str) or not RUNBOOK_ID.match(runbook_id):
        raise _fail(
            f"{field_prefix}id",
            f"must be lowercase letters, digits and dashes (at most 128), got {runbook_id!r}",
        )
    if runbook_id in RESERVED_IDS:
        raise _fail(f"{field_prefix}id", f"{runbook_id!r} is reserved by the API's paths")
    steps_data = data.get("steps")
    if not isinstance(steps_data, list) or not steps_data:
        raise _fail(f"{field_prefix}{steps_field}", "must be a non-empty list")
    if len(steps_data) > MAX_STEPS:
        raise _fail(f"{field_prefix}{steps_field}", f"has more than {MAX_STEPS} steps")
    steps = tuple(
        parse_step(item, f"{field_prefix}{steps_field}[{index}]", shared_steps) for index, item in enumerate(steps_data)
    )
    return Runbook(
        id=runbook_id,
        name=str(_text(data, "name", f"{field_prefix}name", required=True, limit=LIMITS["name"])),
        description=_text(
            data, "description", f"{field_prefix}description", required=False, limit=LIMITS["description"]
        )
        or "",
        rules=_terms(data, "rules", f"{field_prefix}rules"),
        alertnames=_terms(data, "alertnames", f"{field_prefix}alertnames"),
        keywords=_terms(data, "keywords", f"{field_prefix}keywords"),
        services=_terms(data, "services", f"{field_prefix}services"),
        steps=steps,
    )


def runbook_document(runbook: Runbook) -> dict[str, Any]:
    """The document `parse_runbook` reads back into the same runbook (how a saved runbook is stored)."""
    document: dict[str, Any] = {"id": runbook.id, "name": runbook.name, "description": runbook.description}
    for key in ("rules", "alertnames", "keywords", "services"):
        if getattr(runbook, key):
            document[key] = list(getattr(runbook, key))
    document["steps"] = [
        {key: value for key, value in step_spec(step).items() if key != "kind"} for step in runbook.steps
    ]
    return document
