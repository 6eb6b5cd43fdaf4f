"""Child processes a test starts and must end: `aisre serve` as a user runs it (its output in a file), waiting for
it to answer, stopping it and checking that what it started (the emulator) went with it."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT = 60.0
STOP_TIMEOUT = 15.0
LOG_TAIL_CHARS = 20_000

# What the platform reads from the environment (aisre.core.settings) or the local stack sets up for itself.
# An earlier test in the same session may have pointed these at its own emulator, and a developer's
# shell may carry API keys: `aisre serve` starts here as from a clean shell, in dev mode.
_PLATFORM_ENV_PREFIXES = ("AISRE_", "AWS_", "AI_SRE_", "POWERTOOLS_")
_PLATFORM_ENV_NAMES = frozenset(
    {
        "TABLE_NAME",
        "ALERT_TOPIC_ARN",
        "ALERT_QUEUE_URL",
        "PAGERDUTY_WEBHOOK_SECRET",
        "GRAFANA_WEBHOOK_SECRET",
        "CORRELATION_WINDOW_MINUTES",
        "DEPLOY_LOOKBACK_MINUTES",
        "MAX_BODY_BYTES",
        "LOG_LEVEL",
    }
)


@dataclass
class Service:
    """A child process this session started, its base URL and the file its output goes to."""

    name: str
    url: str
    process: subprocess.Popen[bytes]
    log_path: Path

    def output(self, limit: int = LOG_TAIL_CHARS) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError as error:
            return f"(no output: {error})"
        return text if len(text) <= limit else f"[... {len(text) - limit} characters cut ...]\n{text[-limit:]}"

    def describe(self) -> str:
        state = "running" if self.process.poll() is None else f"exited with {self.process.returncode}"
        return f"{self.name} ({state}); its output:\n{self.output()}"


def start_process(
    name: str, argv: list[str], log_path: Path, env: dict[str, str] | None = None
) -> subprocess.Popen[bytes]:
    with log_path.open("wb") as log:
        # Its own session (process group), so teardown can also reach whatever children it starts.
        return subprocess.Popen(
            argv,
            cwd=PROJECT_ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def wait_ready(service: Service, path: str) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    last = "no answer yet"
    with httpx.Client(base_url=service.url, timeout=2) as http:
        while time.monotonic() < deadline:
            if service.process.poll() is not None:
                break
            try:
                response = http.get(path)
                if response.status_code == 200:
                    return
                last = f"{response.status_code} {response.text[:500]}"
            except httpx.HTTPError as error:
                last = repr(error)
            time.sleep(0.2)
    stop_service(service)
    pytest.fail(
        f"{service.name} was not ready on {service.url}{path} within {START_TIMEOUT:.0f} s "
        f"(last answer: {last}); {service.describe()}",
        pytrace=False,
    )


def stop_service(service: Service, signum: signal.Signals = signal.SIGTERM) -> list[str]:
    """Send `signum` (terminate) and wait; then check that what it started went with it (the emulator runs in
    a session of its own, so its process group alone does not cover it). Return what had to be killed."""
    process = service.process
    leftovers: list[str] = []
    family = descendants(process.pid)
    if process.poll() is None:
        process.send_signal(signum)
        try:
            process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            leftovers.append(f"{service.name} (pid {process.pid}) ignored {signum.name} for {STOP_TIMEOUT:.0f} s")
            process.kill()
            process.wait(timeout=STOP_TIMEOUT)
    deadline = time.monotonic() + 5
    while True:
        alive = {pid: command for pid, command in live_processes().items() if pid in family}
        alive |= {pid: command for pid, command in live_processes(pgid=process.pid).items()}
        if not alive:
            return leftovers
        if time.monotonic() > deadline:
            break
        time.sleep(0.1)
    for pid, command in alive.items():
        leftovers.append(f"pid {pid} ({command}) outlived {service.name}")
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGKILL)
    return leftovers


def process_table() -> list[tuple[int, int, int, str]]:
    """(pid, ppid, pgid, command) of every live (not zombie) process, from /proc."""
    table = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            # "pid (comm) state ppid pgrp ...": comm may hold spaces, so split after its last ")".
            head, tail = stat.read_text().rsplit(")", 1)
            fields = tail.split()
            if fields[0] in ("Z", "X"):
                continue
            command = (stat.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
        except (OSError, ValueError, IndexError):
            continue
        table.append((int(head.split(" (", 1)[0]), int(fields[1]), int(fields[2]), command))
    return table


def descendants(root: int) -> set[int]:
    table = process_table()
    found: set[int] = set()
    frontier = {root}
    while frontier:
        frontier = {pid for pid, ppid, _pgid, _command in table if ppid in frontier and pid not in found}
        found |= frontier
    return found


def live_processes(pgid: int | None = None) -> dict[int, str]:
    return {pid: command for pid, _ppid, group, command in process_table() if pgid is None or group == pgid}


def platform_env() -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(_PLATFORM_ENV_PREFIXES) and key not in _PLATFORM_ENV_NAMES
    }
    env["PYTHONUNBUFFERED"] = "1"
    return env


def aisre_executable() -> Path:
    # The `aisre` script of the virtualenv running the tests (normally .venv/bin/aisre).
    for candidate in (Path(sys.executable).parent / "aisre", PROJECT_ROOT / ".venv" / "bin" / "aisre"):
        if candidate.exists():
            return candidate
    pytest.fail(
        "no `aisre` executable next to the test interpreter or in .venv/bin: `make setup` (or `make test`) "
        "installs the project into .venv",
        pytrace=False,
    )


def serve_aisre(
    log_dir: Path, *arguments: str, env: dict[str, str] | None = None, name: str = "aisre serve"
) -> Service:
    """`aisre serve` with `arguments` on a free loopback port, as from a clean shell plus `env`, once it answers
    GET /health; its output goes to a file in `log_dir`."""
    from tests.support.servers import free_port

    port = free_port()
    log_path = log_dir / f"{name.replace(' ', '-')}-{port}.log"
    argv = [str(aisre_executable()), "serve", "--host", "127.0.0.1", "--port", str(port), *arguments]
    process = start_process(name, argv, log_path, env={**platform_env(), **(env or {})})
    service = Service(name, f"http://127.0.0.1:{port}", process, log_path)
    wait_ready(service, "/health")
    return service


def emulator_pids(service: Service) -> list[int]:
    """The emulator child (or children) `aisre serve` runs now."""
    family = descendants(service.process.pid)
    return [
        pid for pid, _ppid, _pgid, command in process_table() if pid in family and "aisre.local.emulator" in command
    ]
