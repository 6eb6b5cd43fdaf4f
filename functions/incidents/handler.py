"""Lambda: the incidents endpoint group, with /health and /metrics."""

from aisre.lambda_http import http_handler

handler = http_handler(["incidents", "system"])
