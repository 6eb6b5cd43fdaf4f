"""An HTTP endpoint group as a Lambda handler: Mangum over the group's app, with Powertools around it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from aws_lambda_powertools import Metrics
from aws_lambda_powertools.logging import correlation_paths
from mangum import Mangum

from aisre.app import create_app
from aisre.core.observability import logger, metrics, traced
from aisre.core.settings import get_settings

LambdaHandler = Callable[[dict[str, Any], Any], dict[str, Any]]


def http_handler(groups: Sequence[str]) -> LambdaHandler:
    app = create_app(groups)
    # API Gateway puts the stage in front of every path (/dev/webhook): strip it before routing.
    asgi = Mangum(app, lifespan="off", api_gateway_base_path=f"/{get_settings().stage}")
    emf = Metrics(namespace="aisre")
    metrics.attach_emf(emf)

    @logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
    @traced
    @emf.log_metrics
    def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        response: dict[str, Any] = asgi(event, context)
        return response

    return handler
