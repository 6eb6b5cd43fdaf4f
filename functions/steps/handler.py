"""Lambda: the Task states of the investigation state machine; `step` names which one."""

from typing import Any

from aisre.core.observability import logger, traced
from aisre.core.scope import default_scope
from aisre.investigations.providers import investigation_service


@logger.inject_lambda_context
@traced
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return default_scope().get(investigation_service).run_step(event["step"], event["state"])
