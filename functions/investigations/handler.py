"""Lambda: the investigations endpoint group (start an investigation, follow it, read a diagnosis)."""

from aisre.lambda_http import http_handler

handler = http_handler(["investigations", "holmes"])
