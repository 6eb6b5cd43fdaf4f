"""API Gateway's management API (`@connections`): send to a socket, close it. Locally the server emulates it."""

from __future__ import annotations

import contextlib
import json
import logging
from typing import Any

logger = logging.getLogger(__name__)


class ManagementApiSockets:
    """boto3's `apigatewaymanagementapi` client at `endpoint` (https://{api}.execute-api.{region}.amazonaws.com/{stage},
    or the local server's http://127.0.0.1:{port}); with no endpoint configured nothing is sent."""

    def __init__(self, endpoint: str | None, region: str) -> None:
        self._endpoint = endpoint or None
        self._region = region
        self._client: Any = None

    def _api(self) -> Any:
        if self._client is None:
            import boto3
            from botocore.config import Config

            self._client = boto3.session.Session().client(
                "apigatewaymanagementapi",
                endpoint_url=self._endpoint,
                region_name=self._region,
                # Best effort: a browser that does not answer must not hold the stream up.
                config=Config(connect_timeout=2, read_timeout=5, retries={"max_attempts": 2}),
            )
        return self._client

    def send(self, connection_id: str, message: dict[str, Any]) -> bool:
        if self._endpoint is None:
            logger.warning("LIVE_CONNECTIONS_ENDPOINT is not set: a live message to %s was not sent", connection_id)
            return True
        api = self._api()
        try:
            api.post_to_connection(ConnectionId=connection_id, Data=json.dumps(message, separators=(",", ":")).encode())
        except api.exceptions.GoneException:
            return False
        return True

    def close(self, connection_id: str) -> None:
        if self._endpoint is None:
            return
        api = self._api()
        with contextlib.suppress(api.exceptions.GoneException):
            api.delete_connection(ConnectionId=connection_id)
