"""End-to-end fixtures: the platform as a user runs it (`aisre serve`) and a real Prometheus Alertmanager
that sends its webhook notifications there, each a child process on a free loopback port."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.support.servers import free_port

PROJECT_ROOT = Path(__file__).resolve().parents[2]
ALERTMANAGER_BINARIES = ("prometheus-alertmanager", "alertmanager")
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


def _start(name: str, argv: list[str], log_path: Path, env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
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


def _wait_ready(service: Service, path: str) -> None:
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
    _stop(service)
    pytest.fail(
        f"{service.name} was not ready on {service.url}{path} within {START_TIMEOUT:.0f} s "
        f"(last answer: {last}); {service.describe()}",
        pytrace=False,
    )


def _stop(service: Service) -> list[str]:
    """Terminate the process and wait; then check that what it started went with it (the emulator runs in
    a session of its own, so its process group alone does not cover it). Return what had to be killed."""
    process = service.process
    leftovers: list[str] = []
    family = _descendants(process.pid)
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            leftovers.append(f"{service.name} (pid {process.pid}) ignored SIGTERM for {STOP_TIMEOUT:.0f} s")
            process.kill()
            process.wait(timeout=STOP_TIMEOUT)
    deadline = time.monotonic() + 5
    while True:
        alive = {pid: command for pid, command in _live_processes().items() if pid in family}
        alive |= {pid: command for pid, command in _live_processes(pgid=process.pid).items()}
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


def _process_table() -> list[tuple[int, int, int, str]]:
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


def _descendants(root: int) -> set[int]:
    table = _process_table()
    found: set[int] = set()
    frontier = {root}
    while frontier:
        frontier = {pid for pid, ppid, _pgid, _command in table if ppid in frontier and pid not in found}
        found |= frontier
    return found


def _live_processes(pgid: int | None = None) -> dict[int, str]:
    return {pid: command for pid, _ppid, group, command in _process_table() if pgid is None or group == pgid}


def _platform_env() -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(_PLATFORM_ENV_PREFIXES) and key not in _PLATFORM_ENV_NAMES
    }
    env["PYTHONUNBUFFERED"] = "1"
    return env


def _aisre_executable() -> Path:
    # The `aisre` script of the virtualenv running the tests (normally .venv/bin/aisre).
    for candidate in (Path(sys.executable).parent / "aisre", PROJECT_ROOT / ".venv" / "bin" / "aisre"):
        if candidate.exists():
            return candidate
    pytest.fail(
        "no `aisre` executable next to the test interpreter or in .venv/bin: `make setup` (or `make test`) "
        "installs the project into .venv",
        pytrace=False,
    )


def _alertmanager_executable() -> str:
    for name in ALERTMANAGER_BINARIES:
        found = shutil.which(name)
        if found:
            return found
    if Path("/usr/bin/prometheus-alertmanager").exists():
        return "/usr/bin/prometheus-alertmanager"
    pytest.fail(
        "Prometheus Alertmanager is not installed (no prometheus-alertmanager or alertmanager on PATH). "
        "`make test` installs it (Debian package prometheus-alertmanager, via `make alertmanager`).",
        pytrace=False,
    )


_SERVICES_KEY = pytest.StashKey[list[Service]]()


@contextlib.contextmanager
def running_platform(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    *arguments: str,
    name: str = "aisre serve",
    settings: dict[str, str] | None = None,
) -> Iterator[Service]:
    """`aisre serve [arguments]` on a free loopback port until the block ends, with `settings` in its
    environment on top of a clean shell's."""
    executable = _aisre_executable()
    port = free_port()
    log_path = tmp_path_factory.mktemp("aisre-serve") / "output.log"
    process = _start(
        name,
        [str(executable), "serve", "--host", "127.0.0.1", "--port", str(port), *arguments],
        log_path,
        env=_platform_env() | (settings or {}),
    )
    service = Service(name, f"http://127.0.0.1:{port}", process, log_path)
    request.config.stash.setdefault(_SERVICES_KEY, []).append(service)
    _wait_ready(service, "/health")
    yield service
    _finish(service)


@contextlib.contextmanager
def running_alertmanager(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    config_text: str,
    name: str = "alertmanager",
) -> Iterator[Service]:
    """A real Alertmanager with this configuration until the block ends."""
    executable = _alertmanager_executable()
    workdir = tmp_path_factory.mktemp("alertmanager")
    config = workdir / "alertmanager.yml"
    config.write_text(config_text)
    (workdir / "data").mkdir()
    port = free_port()
    process = _start(
        name,
        [
            executable,
            f"--config.file={config}",
            f"--storage.path={workdir / 'data'}",
            f"--web.listen-address=127.0.0.1:{port}",
            "--cluster.listen-address=",  # no clustering: a single instance, and no gossip port to collide on
            "--log.level=warn",
        ],
        workdir / "output.log",
    )
    service = Service(name, f"http://127.0.0.1:{port}", process, workdir / "output.log")
    request.config.stash.setdefault(_SERVICES_KEY, []).append(service)
    _wait_ready(service, "/-/ready")
    yield service
    _finish(service)


@pytest.fixture(scope="session")
def platform(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    """`aisre serve` on a free loopback port: the embedded local stack and the whole HTTP API."""
    with running_platform(request, tmp_path_factory) as service:
        yield service


@pytest.fixture(scope="session")
def alertmanager(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, platform: Service
) -> Iterator[Service]:
    """A real Alertmanager whose only receiver is the platform's Alertmanager webhook."""
    config = (
        "route:\n"
        "  receiver: aisre\n"
        "  group_by: [alertname, service]\n"
        "  group_wait: 1s\n"
        "  group_interval: 1s\n"
        "  repeat_interval: 1h\n"
        "receivers:\n"
        "  - name: aisre\n"
        "    webhook_configs:\n"
        f"      - url: {platform.url}/webhook/alertmanager\n"
        "        send_resolved: true\n"
    )
    with running_alertmanager(request, tmp_path_factory, config) as service:
        yield service


def _finish(service: Service) -> None:
    leftovers = _stop(service)
    if leftovers:
        pytest.fail(f"{service.name} did not stop cleanly: {'; '.join(leftovers)}", pytrace=False)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """A failing e2e test's report carries the output of the platform and of Alertmanager."""
    report = yield
    if report.failed and call.when == "call":
        for service in item.config.stash.get(_SERVICES_KEY, []):
            report.sections.append((f"{service.name} output", service.describe()))
    return report
