"""The local server's access log: one line per request, the status the client saw, keys redacted."""

from __future__ import annotations

import logging
import re

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from aisre.core.http.middleware import RequestMetrics
from aisre.local.access_log import log_request

LINE = re.compile(r'^testclient:\d+ "(?P<method>\w+) (?P<target>\S+) HTTP/1\.1" (?P<status>\d{3}) (?P<ms>\d+\.\d)ms$')


async def created(_request: Request) -> JSONResponse:
    return JSONResponse({"ok": True}, status_code=201)


async def broken(_request: Request) -> PlainTextResponse:
    raise RuntimeError("boom")


@pytest.fixture
def client() -> TestClient:
    app = Starlette(routes=[Route("/things", created, methods=["POST"]), Route("/broken", broken)])
    app.add_middleware(RequestMetrics, observers=[log_request])
    return TestClient(app, raise_server_exceptions=False)


def access_lines(caplog: pytest.LogCaptureFixture) -> list[re.Match[str]]:
    lines = [record.getMessage() for record in caplog.records if record.name == "aisre.access"]
    matches = [LINE.match(line) for line in lines]
    assert all(matches), lines
    return [match for match in matches if match]


def test_one_line_per_request_with_method_target_status_and_latency(client, caplog):
    caplog.set_level(logging.INFO, logger="aisre.access")
    client.post("/things?limit=5", json={})
    client.get("/missing")
    [first, second] = access_lines(caplog)
    assert (first["method"], first["target"], first["status"]) == ("POST", "/things?limit=5", "201")
    assert (second["method"], second["target"], second["status"]) == ("GET", "/missing", "404")
    assert float(first["ms"]) >= 0


def test_a_failing_app_is_logged_as_the_500_the_client_saw(client, caplog):
    caplog.set_level(logging.INFO, logger="aisre.access")
    assert client.get("/broken").status_code == 500
    [line] = access_lines(caplog)
    assert line["status"] == "500"


def test_an_api_key_in_the_query_string_never_reaches_the_log(client, caplog):
    caplog.set_level(logging.INFO, logger="aisre.access")
    client.post("/things?api_key=s3cret-key&limit=2")
    client.post("/things?x_api_key=kept&api_key=other-secret")
    [first, second] = access_lines(caplog)
    assert first["target"] == "/things?api_key=***&limit=2"
    assert second["target"] == "/things?x_api_key=kept&api_key=***"
    assert "s3cret" not in caplog.text and "other-secret" not in caplog.text


def test_nothing_is_formatted_when_info_is_off(client, caplog):
    caplog.set_level(logging.WARNING, logger="aisre.access")
    assert client.post("/things").status_code == 201
    assert not [record for record in caplog.records if record.name == "aisre.access"]


def test_log_requests_to_writes_plain_lines_whatever_the_platform_log_level(client):
    import io

    from aisre.local.access_log import access_logger, log_requests_to

    platform_logger = logging.getLogger("aisre")
    saved = (list(access_logger.handlers), access_logger.level, access_logger.propagate, platform_logger.level)
    stream = io.StringIO()
    try:
        platform_logger.setLevel(logging.WARNING)  # LOG_LEVEL=WARNING does not silence the access log
        log_requests_to(stream)
        client.post("/things")
    finally:
        access_logger.handlers[:], access_logger.level, access_logger.propagate, level = saved
        platform_logger.setLevel(level)
    [line] = stream.getvalue().splitlines()  # a plain line, not the platform's JSON
    assert re.fullmatch(
        r'\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} testclient:\d+ "POST /things HTTP/1.1" 201 \d+\.\dms', line
    )
