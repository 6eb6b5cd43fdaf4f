"""Lambda: the webhooks endpoint group (alert webhooks, PagerDuty sync, deploys, dead letters)."""

from aisre.api.lambda_adapter import http_handler

handler = http_handler(["webhooks"])
