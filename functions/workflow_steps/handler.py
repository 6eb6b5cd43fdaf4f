"""Lambda: a workflow's read steps (inspect_pod, inspect_deployment, check_deployment), under the read-only
Kubernetes identity, and the plan of a failed run's compensation (read from its own history). `task` names which.
A step's errors are its Retry/Catch names (WorkloadUnhealthyError, WorkflowStepFailedError)."""

from typing import Any

from aisre.core.observability import logger, traced
from aisre.core.scope import default_scope
from aisre.workflows.providers import workflow_tasks


@logger.inject_lambda_context
@traced
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return default_scope().get(workflow_tasks).run(event)
