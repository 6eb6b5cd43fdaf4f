"""The remediation parts, each built on first ask (core/scope.py): the runbook catalog."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aisre.core.scope import Scope

if TYPE_CHECKING:
    from aisre.remediation.model.runbooks import RunbookCatalog


def runbook_catalog(scope: Scope) -> RunbookCatalog:
    from aisre.remediation.adapters.runbook_files import load_runbooks

    return load_runbooks()
