"""Lambda: the investigations endpoint group (start an investigation, follow it, read a diagnosis)."""

from aisre.api.lambda_adapter import http_handler

handler = http_handler(["investigations", "holmes"])
