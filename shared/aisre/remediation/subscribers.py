"""What remediation does when an event is published: an approval a runbook run waits on was decided, so the run
goes on (aisre/subscriptions.py names this)."""

from __future__ import annotations

from aisre.core.observability import logger
from aisre.core.scope import Scope
from aisre.remediation.model.approvals import Approval
from aisre.remediation.providers import runbook_run_service


def continue_runbook_run(scope: Scope, approval: Approval) -> None:
    """The run whose write step waits on `approval` goes on, in the request that decided it. A failure here leaves
    the decision and its action standing: the run is carried on by `POST .../runs/{run_id}/resume`."""
    if approval.runbook_run_id is None:
        return
    try:
        scope.get(runbook_run_service).after_decision(approval)
    except Exception:
        logger.exception("runbook run %s not carried on after approval %s", approval.runbook_run_id, approval.id)
