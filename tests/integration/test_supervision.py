"""The local stack replaces an emulator that dies: on its ports when it can, else on new ones, with everything
that pointed at the old ports (environment, settings and scope, the loopback hook) pointed at the new."""

from __future__ import annotations

import os
import signal
import socket
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from aisre.local.server import create_local_app
from aisre.local.stack import LocalStack
from tests.support.servers import client, serve_app, wait_for

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def alert(title: str) -> dict[str, str]:
    return {"title": title, "severity": "critical", "service": f"svc-{title}"}


def hold(port: int) -> socket.socket:
    """Listen on `port` (once the dead emulator's socket is gone), so that a new emulator cannot."""
    deadline = time.monotonic() + 5
    while True:
        holder = socket.socket()
        holder.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            holder.bind(("127.0.0.1", port))
            holder.listen()
            return holder
        except OSError:
            holder.close()
            if time.monotonic() > deadline:
                raise
            time.sleep(0.01)


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[LocalStack]:
    local = LocalStack(PROJECT_ROOT, parameters={"AutoInvestigate": "false"}, data_dir=tmp_path / "data")
    local.start()
    try:
        yield local
    finally:
        local.stop()


def test_an_emulator_whose_ports_are_taken_comes_back_on_new_ones_and_the_platform_follows(stack: LocalStack) -> None:
    assert stack.supervisor is not None
    old_pollers = list(stack.start_pollers())
    workspace = f"ws-{uuid.uuid4().hex[:8]}"
    with serve_app(create_local_app()) as url, client(url, **{"X-Workspace-Id": workspace}) as http:
        before = http.post("/webhook", json=alert("before"))
        assert before.status_code == 200, before.text
        incident_id = before.json()["incident_id"]
        ports = (stack.emulator.port, stack.emulator.dynamodb_port)
        assert stack.emulator.pid is not None
        os.kill(stack.emulator.pid, signal.SIGKILL)
        holders = [hold(port) for port in ports]
        try:
            wait_for(lambda: stack.supervisor is not None and stack.supervisor.restarts == 1, timeout=60)
            assert stack.emulator.running
            assert {stack.emulator.port, stack.emulator.dynamodb_port}.isdisjoint(ports)
            assert os.environ["AWS_ENDPOINT_URL_DYNAMODB"] == stack.emulator.dynamodb_endpoint_url
            assert os.environ["AWS_ENDPOINT_URL"] == stack.emulator.endpoint_url
            assert stack.pollers and not set(stack.pollers) & set(old_pollers)
            assert not any(poller.running for poller in old_pollers)
            for poller in stack.pollers:
                assert poller.running and poller.sqs.meta.endpoint_url == stack.emulator.endpoint_url
            detail = wait_for(lambda: (got := http.get(f"/incidents/{incident_id}")).status_code == 200 and got)
            assert detail.json()["incident"]["title"] == "before"
            after = http.post("/webhook", json=alert("after"))
            assert after.status_code == 200, after.text
            listing = http.get("/incidents").json()["incidents"]
            assert sorted(item["title"] for item in listing) == ["after", "before"]
        finally:
            for holder in holders:
                holder.close()
