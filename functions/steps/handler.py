"""Lambda: the Task states of the investigation state machine; `step` names which one."""

from typing import Any

from aisre.observability import logger, traced
from aisre.wiring import get_platform


@logger.inject_lambda_context
@traced
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return get_platform().investigations.run_step(event["step"], event["state"])
