"""Lambda: the operator console over HTTP (GET /console, its files and /console/config.json). It reads no table:
only the API keys (are any configured?) for the page's start-up config."""

from aisre.lambda_http import http_handler

handler = http_handler(["console"])
