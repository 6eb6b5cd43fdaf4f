"""The local stack: emulator, resources provisioned from template.yaml, environment, queue pollers and schedules."""

from __future__ import annotations

import functools
import logging
import os
from collections.abc import Collection
from pathlib import Path
from typing import Any

from aisre.local.emulator import Emulator
from aisre.local.functions import Handler, context_factory, load_handler
from aisre.local.intake_pressure import intake_meter
from aisre.local.loopback import LoopbackTransport
from aisre.local.pollers import SqsPoller
from aisre.local.provision import FunctionSpec, LocalStackResources, provision
from aisre.local.runtime import FunctionRuntime
from aisre.local.schedules import ScheduleRunner, rate_seconds
from aisre.local.stream_pollers import StreamPoller
from aisre.local.supervisor import EmulatorSupervisor
from aisre.local.template import load_template

logger = logging.getLogger(__name__)

DEFAULT_REGION = "us-east-1"
DATA_DIR_NAME = ".aisre"  # in the project root, unless AISRE_DATA_DIR or --data-dir says otherwise

# Functions whose queue work waits while alerts pour in (local/intake_pressure.py): locally they share the
# alert path's cores, where in AWS they have their own. A storm's notifications follow it, as its investigations do
# (one conversation per group: its later incidents fold into one update anyway).
BACKGROUND_FUNCTIONS = frozenset({"InvestigationStarterFunction", "NotificationDeliveryFunction"})

# Set while the stack runs. Credentials are dummies: the emulator accepts any, and real ones must
# never be sent to it (nor a named profile looked up).
_FIXED_ENVIRONMENT = {
    "AWS_REGION": DEFAULT_REGION,
    "AWS_DEFAULT_REGION": DEFAULT_REGION,
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AISRE_PROFILE": "local",
    # No X-Ray daemon and no CloudWatch EMF ingestion locally: keep Powertools and the X-Ray SDK quiet.
    "POWERTOOLS_TRACE_DISABLED": "true",
    "POWERTOOLS_METRICS_DISABLED": "true",
    "AWS_XRAY_SDK_ENABLED": "false",
    # The emulator ignores signatures, and signing is a seventh of the platform's CPU for a new incident.
    "AISRE_DYNAMODB_SIGNING": "false",
}
_REMOVED_ENVIRONMENT = ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN")
LIVE_ENVIRONMENT = ("LIVE_CONNECTIONS_ENDPOINT", "LIVE_EVENTS_URL")


def find_project_root(start: Path | None = None) -> Path:
    """The nearest directory at or above `start` (default: the working directory) holding template.yaml."""
    here = (start or Path.cwd()).resolve()
    for directory in (here, *here.parents):
        if (directory / "template.yaml").is_file():
            return directory
    raise FileNotFoundError(f"no template.yaml in {here} or any parent directory")


class LocalStack:
    """Emulator + provisioned template + process environment (+ pollers on request), as one unit.

    `start()` points this process at the emulator (os.environ, then the settings cache is reset);
    `stop()` ends pollers and emulator and restores the environment as it was. With `data_dir`, the emulator
    keeps the table's items and the queues' messages there across restarts (else in memory only); while the
    stack runs, an emulator that dies is replaced (local/supervisor.py).
    """

    def __init__(
        self,
        project_root: Path,
        parameters: dict[str, Any] | None = None,
        *,
        template_path: Path | None = None,
        stack_name: str = "aisre-local",
        failure_visibility_timeout: int = 1,
        data_dir: Path | None = None,
        fault_rate: float = 0.0,
        supervise: bool = True,
    ) -> None:
        self.project_root = Path(project_root).resolve()
        self.template_path = template_path or self.project_root / "template.yaml"
        self.parameters = parameters
        self.stack_name = stack_name
        self.region = DEFAULT_REGION
        self.failure_visibility_timeout = failure_visibility_timeout
        # Task states and direct invokes reach the functions' handlers here, in this process.
        self.function_runtime = FunctionRuntime(self._invoker)
        self.data_dir = Path(data_dir).resolve() if data_dir is not None else None
        self.emulator = Emulator(
            function_runtime_url=self.function_runtime.url, data_dir=self.data_dir, fault_rate=fault_rate
        )
        self.supervisor = EmulatorSupervisor(self._exit_code, self._recover) if supervise else None
        self._invokers: dict[str, Any] = {}
        self.pollers: list[SqsPoller] = []
        self.schedules: list[ScheduleRunner] = []
        self.stream_pollers: list[StreamPoller] = []
        self._live_base_url: str | None = None
        self._resources: LocalStackResources | None = None
        self._saved_environment: dict[str, str | None] = {}
        self._loopback: LoopbackTransport | None = None

    # --- lifecycle --------------------------------------------------------------------------------

    def start(self) -> LocalStack:
        if self._resources is not None:
            return self
        try:
            self.function_runtime.start()
            endpoint_url = self.emulator.start()
            self._resources = self._provision(endpoint_url)
            self._point_at_emulator(self._resources, endpoint_url)
            if self.supervisor is not None:
                self.supervisor.start()
        except BaseException:
            self.stop()
            raise
        return self

    def _provision(self, endpoint_url: str) -> LocalStackResources:
        # Provisioning creates the table; the emulator restores the data directory into it as it does.
        template = load_template(self.template_path)
        return provision(
            template, endpoint_url, self.region, self.stack_name, self.parameters, self.template_path.parent
        )

    def _point_at_emulator(self, resources: LocalStackResources, endpoint_url: str) -> None:
        environment = resources.environment()
        # The template points these at API Gateway's WebSocket API; locally the server emulates it (serve_live_events).
        for name in LIVE_ENVIRONMENT:
            environment.pop(name, None)
        environment.update(self._live_environment())
        self._apply_environment(
            {
                **environment,
                **_FIXED_ENVIRONMENT,
                "AWS_ENDPOINT_URL": endpoint_url,
                # botocore's service-specific endpoint variable: DynamoDB clients use the faster port.
                "AWS_ENDPOINT_URL_DYNAMODB": self.emulator.dynamodb_endpoint_url,
            }
        )
        self._attach_loopback(self.emulator.dynamodb_endpoint_url)

    def _exit_code(self) -> int | None:
        """The emulator's exit code if it exited while the stack runs (what the supervisor watches)."""
        return self.emulator.exit_code() if self._resources is not None else None

    def _recover(self) -> str:
        """A new emulator for the one that exited, provisioned and restored; this process pointed at it."""
        ports = (self.emulator.port, self.emulator.dynamodb_port)
        endpoint_url = self.emulator.restart()
        resources = self._provision(endpoint_url)
        if self.supervisor is not None and self.supervisor.stopping:
            return "but the stack is stopping"  # stop() stops this emulator next
        self._resources = resources
        kept = f"its data restored from {self.data_dir}" if self.data_dir else "in memory only: its data is gone"
        if (self.emulator.port, self.emulator.dynamodb_port) == ports:
            # Every client (the platform's, the pollers', the loopback transport) reaches it where it was.
            return f"on the same ports, {kept}"
        # The old ports were taken meanwhile: everything made for them is made again for the new ones.
        self._point_at_emulator(resources, endpoint_url)
        if self.pollers:
            functions = {poller.name.split(".", 1)[0] for poller in self.pollers}  # "<logical id>.<event>"
            self.stop_pollers()
            self.start_pollers(functions)
        if self.stream_pollers:
            functions = {poller.name.split(".", 1)[0] for poller in self.stream_pollers}
            self.stop_stream_pollers()
            self.start_stream_pollers(functions)
        return f"on new ports ({endpoint_url}, DynamoDB {self.emulator.dynamodb_endpoint_url}), {kept}"

    def start_pollers(self, functions: Collection[str] | None = None) -> list[SqsPoller]:
        """A running SqsPoller per enabled SQS event of every function (or of the named ones: logical ids),
        calling its handler in-process; returns the pollers started by this call."""
        resources = self.resources
        started: list[SqsPoller] = []
        for spec in resources.functions.values():
            if not spec.sqs_events or (functions is not None and spec.logical_id not in functions):
                continue
            handler = self.handler(spec.logical_id)
            for source in spec.sqs_events:
                if not source.enabled:
                    continue
                poller = SqsPoller(
                    source,
                    handler,
                    context_factory(spec.function_name, spec.arn, spec.memory_size, spec.timeout),
                    region=self.region,
                    endpoint_url=self.endpoint_url,
                    failure_visibility_timeout=self.failure_visibility_timeout,
                    name=f"{spec.logical_id}.{source.name}",
                    before_process=(
                        functools.partial(
                            intake_meter.hold_while_busy, batching_window=source.maximum_batching_window_seconds
                        )
                        if spec.logical_id in BACKGROUND_FUNCTIONS
                        else None
                    ),
                )
                started.append(poller.start())
        self.pollers += started
        return started

    def start_schedules(
        self, functions: Collection[str] | None = None, *, interval_seconds: float | None = None
    ) -> list[ScheduleRunner]:
        """A running ScheduleRunner per enabled Schedule event (a rule in state ENABLED, as the template's parameters
        leave it) of every function, or of the named ones (logical ids), calling its handler in-process at the
        rule's rate (`interval_seconds`: faster, for tests); returns the runners started by this call."""
        started: list[ScheduleRunner] = []
        for spec in self.resources.functions.values():
            if functions is not None and spec.logical_id not in functions:
                continue
            for source in spec.schedule_events:
                if not source.enabled:
                    continue
                if interval_seconds is None and rate_seconds(source.expression) is None:
                    logger.warning("schedule %s.%s: %s does not run locally (rate expressions only)",
                                   spec.logical_id, source.name, source.expression)  # fmt: skip
                    continue
                rule = f"arn:aws:events:{self.region}:{self.resources.account_id}:rule/{spec.logical_id}-{source.name}"
                runner = ScheduleRunner(
                    source,
                    self.handler(spec.logical_id),
                    context_factory(spec.function_name, spec.arn, spec.memory_size, spec.timeout),
                    region=self.region,
                    rule_arn=rule,
                    interval_seconds=interval_seconds,
                    name=f"{spec.logical_id}.{source.name}",
                )
                started.append(runner.start())
        self.schedules += started
        return started

    def stop_schedules(self) -> None:
        schedules, self.schedules = self.schedules, []
        for runner in schedules:
            runner.request_stop()
        for runner in schedules:
            runner.stop()

    def start_stream_pollers(self, functions: Collection[str] | None = None) -> list[StreamPoller]:
        """A running StreamPoller per enabled DynamoDB event of every function (or of the named ones: logical ids),
        reading the emulator's stream of the table and calling the handler in-process; returns those started."""
        started: list[StreamPoller] = []
        for spec in self.resources.functions.values():
            if functions is not None and spec.logical_id not in functions:
                continue
            for source in spec.stream_events:
                if not source.enabled:
                    continue
                poller = StreamPoller(
                    source,
                    self.handler(spec.logical_id),
                    context_factory(spec.function_name, spec.arn, spec.memory_size, spec.timeout),
                    endpoint_url=self.endpoint_url,
                    region=self.region,
                    name=f"{spec.logical_id}.{source.name}",
                )
                poller.poll_once(wait=0)  # where the stream is now: LATEST means from here, as the start returns
                started.append(poller.start())
        self.stream_pollers += started
        return started

    def stop_stream_pollers(self) -> None:
        pollers, self.stream_pollers = self.stream_pollers, []
        for poller in pollers:
            poller.request_stop()
        for poller in pollers:
            poller.stop()

    def serve_live_events(self, base_url: str) -> None:
        """The server at `base_url` (http://127.0.0.1:<port>) emulates the live events' WebSocket API: point the
        management API's client (LIVE_CONNECTIONS_ENDPOINT) at it. The template's LIVE_EVENTS_URL (API Gateway's) is
        left out, so the console connects to the server's own /ws."""
        from aisre.local import live_socket

        self._live_base_url = base_url.rstrip("/")
        self._apply_environment(self._live_environment())
        spec = self.resources.functions.get(live_socket.SOCKET_FUNCTION)
        if spec is not None:
            new_context = context_factory(spec.function_name, spec.arn, spec.memory_size, spec.timeout)
            live_socket.use_function(self.handler(spec.logical_id), new_context)

    def stop_live_events(self) -> None:
        """Stop the stream pollers and forget the server serve_live_events named (tests that served their own)."""
        self.stop_stream_pollers()
        self._live_base_url = None
        for name in LIVE_ENVIRONMENT:
            os.environ.pop(name, None)
        _reset_settings()

    def _live_environment(self) -> dict[str, str]:
        if self._live_base_url is None:
            return {}
        # LIVE_EVENTS_URL stays unset: the console then connects to its own origin's /ws, which is this server.
        return {"LIVE_CONNECTIONS_ENDPOINT": self._live_base_url}

    def stop_pollers(self) -> None:
        pollers, self.pollers = self.pollers, []
        for poller in pollers:
            poller.request_stop()  # signal all first, so they wind down in parallel
        for poller in pollers:
            poller.stop()

    def stop(self) -> None:
        if self.supervisor is not None:
            self.supervisor.stop()  # first: the emulator's exit below is on purpose
        for stream_poller in self.stream_pollers:
            stream_poller.request_stop()  # its long poll ends within a second, alongside the SQS pollers' below
        self.stop_schedules()
        self.stop_pollers()
        self.stop_stream_pollers()
        self.emulator.stop()
        self.function_runtime.stop()
        self._resources = None
        self._live_base_url = None
        self._detach_loopback()
        self._restore_environment()

    def _attach_loopback(self, endpoint_url: str) -> None:
        """DynamoDB clients made from now on reach the emulator's port over the lean loopback transport."""
        from aisre.core.table.clients import add_client_hook

        self._detach_loopback()
        self._loopback = LoopbackTransport(endpoint_url)
        add_client_hook(self._loopback.attach)

    def _detach_loopback(self) -> None:
        from aisre.core.table.clients import remove_client_hook

        loopback, self._loopback = self._loopback, None
        if loopback is not None:
            remove_client_hook(loopback.attach)

    def __enter__(self) -> LocalStack:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # --- what tests, the benchmark and the server use -----------------------------------------------

    @property
    def resources(self) -> LocalStackResources:
        if self._resources is None:
            raise RuntimeError("the local stack is not started")
        return self._resources

    @property
    def endpoint_url(self) -> str:
        return self.emulator.endpoint_url

    def function(self, logical_id: str) -> FunctionSpec:
        return self.resources.functions[logical_id]

    def _invoker(self, function_name: str) -> Any:
        """The in-process handler of the function the emulator was asked to invoke (None if unknown)."""
        if self._resources is None:
            return None
        if function_name not in self._invokers:
            spec = next((f for f in self._resources.functions.values() if f.function_name == function_name), None)
            if spec is None:
                return None
            handler = self.handler(spec.logical_id)
            new_context = context_factory(spec.function_name, spec.arn, spec.memory_size, spec.timeout)
            self._invokers[function_name] = lambda event: handler(event, new_context())
        return self._invokers[function_name]

    def handler(self, logical_id: str) -> Handler:
        """The handler of a template function, imported from its CodeUri."""
        spec = self.function(logical_id)
        return load_handler(self.project_root, spec.code_uri, spec.handler)

    def request_counts(self) -> dict[str, Any]:
        return self.emulator.request_counts()

    def reset_request_counts(self) -> None:
        self.emulator.reset_request_counts()

    # --- environment ------------------------------------------------------------------------------

    def _apply_environment(self, values: dict[str, str]) -> None:
        for key in (*values, *_REMOVED_ENVIRONMENT):
            self._saved_environment.setdefault(key, os.environ.get(key))
        for key in _REMOVED_ENVIRONMENT:
            os.environ.pop(key, None)
        os.environ.update(values)
        _reset_settings()

    def _restore_environment(self) -> None:
        if not self._saved_environment:
            return
        for key, value in self._saved_environment.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        self._saved_environment = {}
        _reset_settings()


def _reset_settings() -> None:
    # Imported here: settings is the environment's one reader, and it must re-read what we changed; the
    # parts built from the old settings go with them.
    from aisre.core.scope import reset_scope
    from aisre.core.settings import reset_settings

    reset_settings()
    reset_scope()
