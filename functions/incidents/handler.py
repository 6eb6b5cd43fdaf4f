"""Lambda: the incidents endpoint group, with /health and /metrics."""

from aisre.api.lambda_adapter import http_handler

handler = http_handler(["incidents", "system"])
