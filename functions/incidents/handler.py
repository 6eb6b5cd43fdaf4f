"""Lambda: the incidents, insights and demo endpoint groups, with /health and /metrics."""

from aisre.lambda_http import http_handler

handler = http_handler(["incidents", "insights", "system", "demo"])
