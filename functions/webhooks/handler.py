"""Lambda: the webhooks endpoint group (alert webhooks, PagerDuty sync, deploys, dead letters)."""

from aisre.lambda_http import http_handler

handler = http_handler(["webhooks"])
