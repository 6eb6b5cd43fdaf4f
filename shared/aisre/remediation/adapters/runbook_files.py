"""The runbook catalog from its YAML files (remediation/runbooks/), read once per process.

A file per runbook, loaded in file-name order (the catalog's order); `_shared_steps.yaml` holds the steps
several runbooks share. A file that does not parse stops the load with its name in the error: a catalog
with a broken runbook is a packaging fault to see at start, not a runbook silently missing.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml

from aisre.remediation.model.runbooks import RunbookCatalog, runbook_from_data, step_from_data

RUNBOOK_DIR = Path(__file__).resolve().parent.parent / "runbooks"
SHARED_STEPS = "_shared_steps.yaml"


@lru_cache(maxsize=4)
def load_runbooks(directory: Path = RUNBOOK_DIR) -> RunbookCatalog:
    shared_file = directory / SHARED_STEPS
    shared_data = yaml.safe_load(shared_file.read_text()) if shared_file.is_file() else {}
    shared = {name: step_from_data(step) for name, step in (shared_data or {}).items()}
    runbooks = []
    for path in sorted(directory.glob("*.yaml")):
        if path.name == SHARED_STEPS:
            continue
        try:
            runbooks.append(runbook_from_data(yaml.safe_load(path.read_text()), shared))
        except (ValueError, yaml.YAMLError) as error:
            raise ValueError(f"{path.name}: {error}") from error
    return RunbookCatalog(runbooks)
