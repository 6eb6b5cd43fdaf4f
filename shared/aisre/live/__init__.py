"""Live events: the platform's changes streamed to browsers over a WebSocket (API Gateway on AWS, WS /ws locally)."""
