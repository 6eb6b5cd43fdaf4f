"""Live events survive the emulator: a killed emulator is replaced (local/supervisor.py), provisioning configures
its new stream, and the stream poller reads the new stream from its start, so an open socket keeps hearing. And a
server whose live events are not wired refuses the socket, so that a client polls instead of waiting."""

from __future__ import annotations

import json
import os
import signal
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from aisre.local.server import create_local_app
from aisre.local.stack import LocalStack
from tests.support.servers import serve_app, wait_for

PROJECT_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def stack() -> Iterator[LocalStack]:
    local = LocalStack(PROJECT_ROOT, parameters={"AutoInvestigate": "false"})
    local.start()
    try:
        yield local
    finally:
        local.stop()


def test_an_open_socket_keeps_hearing_across_an_emulator_restart(stack: LocalStack) -> None:
    workspace = f"ws-{uuid.uuid4().hex[:8]}"
    with serve_app(create_local_app()) as url:
        stack.serve_live_events(url)
        (poller,) = stack.start_stream_pollers(["LiveFanOutFunction"])
        with connect(url.replace("http://", "ws://") + "/ws", open_timeout=10) as ws:
            ws.send(json.dumps({"type": "auth", "workspace_id": workspace}))
            assert json.loads(ws.recv(timeout=10))["type"] == "welcome"
            ws.send(json.dumps({"type": "subscribe", "event": "incident.created"}))
            assert json.loads(ws.recv(timeout=10))["type"] == "subscribed"

            def alert(title: str) -> str:
                answer = httpx.post(f"{url}/webhook", json={"title": title, "service": f"svc-{title}"},
                                    headers={"X-Workspace-Id": workspace}, timeout=30)  # fmt: skip
                assert answer.status_code == 200, answer.text
                incident_id: str = answer.json()["incident_id"]
                return incident_id

            before = alert("before")
            assert json.loads(ws.recv(timeout=10))["data"]["id"] == before
            assert stack.emulator.pid is not None and stack.supervisor is not None
            os.kill(stack.emulator.pid, signal.SIGKILL)
            wait_for(lambda: stack.supervisor is not None and stack.supervisor.restarts == 1, timeout=60)
            # The connection item went with the emulator's memory (no data directory): authenticate again.
            ws.send(json.dumps({"type": "auth", "workspace_id": workspace}))
            assert json.loads(ws.recv(timeout=10))["type"] == "welcome"
            ws.send(json.dumps({"type": "subscribe", "event": "incident.created"}))
            assert json.loads(ws.recv(timeout=10))["type"] == "subscribed"
            after = alert("after")
            assert json.loads(ws.recv(timeout=10))["data"]["id"] == after
            assert poller.running


def test_a_server_without_live_events_wired_refuses_the_socket(base_url: str) -> None:
    """The session's app reads no stream (LocalStack.serve_live_events was not called for it)."""
    with pytest.raises(InvalidStatus) as refused:
        connect(base_url.replace("http://", "ws://") + "/ws", open_timeout=10)
    assert refused.value.response.status_code == 403
