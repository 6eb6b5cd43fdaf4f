"""Runbooks as YAML: the built-in catalog from its files (remediation/runbooks/), read once per process, and a
runbook document sent as YAML (POST /runbooks/import).

A file per runbook, loaded in file-name order (the catalog's order); `_shared_steps.yaml` holds the steps
several runbooks share. A file that does not parse stops the load with its name in the error: a catalog
with a broken runbook is a packaging fault to see at start, not a runbook silently missing. Every runbook,
built-in or imported, is validated the same way (model/runbook_documents.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from aisre.core.errors import AisreError, ValidationError
from aisre.remediation.model.runbook_documents import parse_runbook, parse_step
from aisre.remediation.model.runbooks import RunbookCatalog, RunbookStep

RUNBOOK_DIR = Path(__file__).resolve().parent.parent / "runbooks"
SHARED_STEPS = "_shared_steps.yaml"


@lru_cache(maxsize=4)
def load_shared_steps(directory: Path = RUNBOOK_DIR) -> Mapping[str, RunbookStep]:
    shared_file = directory / SHARED_STEPS
    shared_data = yaml.safe_load(shared_file.read_text()) if shared_file.is_file() else {}
    return {name: parse_step(step, f"{SHARED_STEPS}: {name}") for name, step in (shared_data or {}).items()}


@lru_cache(maxsize=4)
def load_runbooks(directory: Path = RUNBOOK_DIR) -> RunbookCatalog:
    shared = load_shared_steps(directory)
    runbooks = []
    for path in sorted(directory.glob("*.yaml")):
        if path.name == SHARED_STEPS:
            continue
        try:
            runbooks.append(parse_runbook(yaml.safe_load(path.read_text()), shared_steps=shared))
        except (AisreError, ValueError, yaml.YAMLError) as error:
            raise ValueError(f"{path.name}: {getattr(error, 'message', error)}") from error
    return RunbookCatalog(runbooks)


def read_yaml_document(text: str) -> Any:
    """A YAML document as data (safe_load: plain data, no tags that build objects); 422 naming where it broke.
    Aliases are refused: a few lines of them can expand to gigabytes (a "billion laughs")."""
    try:
        events = list(yaml.parse(text, Loader=yaml.SafeLoader))
    except yaml.YAMLError as error:
        raise ValidationError(f"the body is not valid YAML: {_where(error)}", field="body") from error
    if any(isinstance(event, yaml.AliasEvent) for event in events):
        raise ValidationError("YAML aliases (*name) are not accepted in a runbook", field="body")
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as error:  # a bad tag, a duplicate key's complaint: what parse let through
        raise ValidationError(f"the body is not valid YAML: {_where(error)}", field="body") from error
    except RecursionError as error:  # the composer recurses: thousands of nested [[[ ]]]
        raise ValidationError("the body nests too deeply to be a runbook", field="body") from error


def _where(error: yaml.YAMLError) -> str:
    mark = getattr(error, "problem_mark", None)
    problem = getattr(error, "problem", None) or str(error).splitlines()[0]
    return f"{problem} (line {mark.line + 1}, column {mark.column + 1})" if mark is not None else str(problem)
