"""End-to-end fixtures: the platform as a user runs it (`aisre serve`) and a real Prometheus Alertmanager
that sends its webhook notifications there, each a child process on a free loopback port."""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import Generator, Iterator
from pathlib import Path

import pytest

from tests.support.processes import (
    Service,
    aisre_executable,
    platform_env,
    start_process,
    stop_service,
    wait_ready,
)
from tests.support.servers import free_port

ALERTMANAGER_BINARIES = ("prometheus-alertmanager", "alertmanager")


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
    executable = aisre_executable()
    port = free_port()
    log_path = tmp_path_factory.mktemp("aisre-serve") / "output.log"
    process = start_process(
        name,
        [str(executable), "serve", "--host", "127.0.0.1", "--port", str(port), *arguments],
        log_path,
        env=platform_env() | (settings or {}),
    )
    service = Service(name, f"http://127.0.0.1:{port}", process, log_path)
    request.config.stash.setdefault(_SERVICES_KEY, []).append(service)
    wait_ready(service, "/health")
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
    process = start_process(
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
    wait_ready(service, "/-/ready")
    yield service
    _finish(service)


@pytest.fixture(scope="session")
def platform(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    """`aisre serve` on a free loopback port: the embedded local stack and the whole HTTP API."""
    # In memory: the session's alerts are the tests', and a developer's `make run` may hold .aisre/.
    with running_platform(request, tmp_path_factory, "--ephemeral") as service:
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
    leftovers = stop_service(service)
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
