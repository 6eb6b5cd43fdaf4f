"""The `aisre` command: `aisre serve` runs the whole platform locally; more subcommands plug in below."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Command:
    """A subcommand: its one-line help, how it adds its arguments, and what it runs."""

    help: str
    add_arguments: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], int]


# --- serve ----------------------------------------------------------------------------------------


def _serve_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"), help="bind address (env HOST)")
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8888")), help="HTTP port (env PORT)")
    parser.add_argument(
        "--template",
        type=Path,
        default=None,
        help="the SAM template (default: the first template.yaml at or above the working directory)",
    )
    parser.add_argument(
        "--parameter",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="a template parameter override, e.g. --parameter CorrelationWindowMinutes=5 (repeatable)",
    )
    parser.add_argument("--no-pollers", action="store_true", help="do not consume the SQS queues")
    parser.add_argument(
        "--no-schedules", action="store_true", help="do not run the template's enabled EventBridge schedules"
    )
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=os.environ.get("AISRE_DATA_DIR") or None,
        help="keep the table and the queues here across restarts (env AISRE_DATA_DIR; default: .aisre/ in the "
        "project root)",
    )
    parser.add_argument(
        "--ephemeral", action="store_true", help="keep everything in memory only: gone when the server stops"
    )
    parser.add_argument(
        "--fault-rate",
        default=os.environ.get("AISRE_LOCAL_FAULT_RATE", ""),
        help="fail this share (0 to 1) of DynamoDB data calls as DynamoDB fails, to test retries "
        "(env AISRE_LOCAL_FAULT_RATE; default 0)",
    )


def _parse_parameters(pairs: list[str]) -> dict[str, str]:
    parameters: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise SystemExit(f"aisre serve: --parameter expects KEY=VALUE, got {pair!r}")
        parameters[key] = value
    return parameters


SWITCH_INTERVAL_SECONDS = 0.0005


def run_serve(args: argparse.Namespace) -> int:
    # Imported here so that `aisre --help` and other subcommands do not load moto, uvicorn, boto3.
    import uvicorn

    from aisre.local.access_log import log_requests_to
    from aisre.local.emulator import EmulatorError
    from aisre.local.faults import parse_rate
    from aisre.local.gc_policy import FreezingCollector
    from aisre.local.shutdown import GRACEFUL_SHUTDOWN_SECONDS, stop_on_signals
    from aisre.local.stack import DATA_DIR_NAME, LocalStack, find_project_root

    # Request threads spend their time in socket calls; a shorter GIL switch interval lets a thread whose
    # reply has arrived run again sooner, instead of waiting up to 5 ms behind a busy one.
    sys.setswitchinterval(SWITCH_INTERVAL_SECONDS)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # botocore logs "Found credentials in environment variables" for every client it creates.
    logging.getLogger("botocore").setLevel(logging.WARNING)
    log_requests_to(sys.stdout)
    template = args.template.resolve() if args.template else None
    root = template.parent if template else find_project_root()
    try:
        fault_rate = parse_rate(args.fault_rate)
    except ValueError as error:
        raise SystemExit(f"aisre serve: {error}") from None
    data_dir = None if args.ephemeral else (args.data_dir or root / DATA_DIR_NAME)
    stack = LocalStack(
        root, _parse_parameters(args.parameter), template_path=template, data_dir=data_dir, fault_rate=fault_rate
    )
    collector: FreezingCollector | None = None

    def stop() -> None:
        if collector is not None:
            collector.stop()
        stack.stop()

    stop_on_signals(stop)
    try:
        try:
            stack.start()
        except EmulatorError as error:
            # Its own output (above) says why, e.g. the data directory in use by another `aisre serve`.
            raise SystemExit(f"aisre serve: {error}") from None
        # The live events' WebSocket API is this server (local/live_socket.py): its management API on loopback.
        loopback = "127.0.0.1" if args.host in ("0.0.0.0", "::", "") else args.host
        stack.serve_live_events(f"http://{loopback}:{args.port}")
        if not args.no_pollers:
            stack.start_pollers()
            stack.start_stream_pollers()
        if not args.no_schedules:
            stack.start_schedules()
        print(f"aisre: emulated AWS at {stack.endpoint_url} (template {stack.template_path})", flush=True)
        if stack.data_dir is not None:
            print(f"aisre: data kept in {stack.data_dir} (AISRE_DATA_DIR; --ephemeral keeps it in memory)", flush=True)
        else:
            print("aisre: data in memory only (--ephemeral): gone when the server stops", flush=True)
        if fault_rate:
            print(f"aisre: {fault_rate:.1%} of DynamoDB data calls fail on purpose (AISRE_LOCAL_FAULT_RATE)")
        for poller in stack.pollers:
            print(f"aisre: polling {poller.source.queue_url} for {poller.name}", flush=True)
        for stream_poller in stack.stream_pollers:
            print(f"aisre: reading the {stream_poller.source.table_name} stream for {stream_poller.name}", flush=True)
        for runner in stack.schedules:
            print(f"aisre: running {runner.name} every {runner.interval_seconds:g} s", flush=True)
        print(f"aisre: serving on http://{args.host}:{args.port}", flush=True)
        collector = FreezingCollector().start()
        # uvicorn handles Ctrl-C and SIGTERM itself: it shuts down gracefully, in a bounded time, then raises
        # the signal again for the handler above (local/shutdown.py).
        uvicorn.run(
            "aisre.local.server:create_local_app",
            factory=True,
            host=args.host,
            port=args.port,
            access_log=False,  # the app logs each request itself (aisre.local.access_log), with its latency
            log_level="info",
            timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_SECONDS,
        )
    finally:
        stop()  # uvicorn ended without a signal (it could not bind its port, say)
    return 0


# --- eval -----------------------------------------------------------------------------------------


DEFAULT_EVAL_ROOT = Path("tests/evals/cases")


def _eval_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--suite",
        type=Path,
        default=None,
        help="a folder of HolmesGPT-format case folders (default: every suite under tests/evals/cases)",
    )
    parser.add_argument(
        "--rubric", type=Path, default=None, help="JSON: case -> list of lists of regexes (default: found by name)"
    )
    parser.add_argument("--json", type=Path, default=None, dest="json_out", help="write the per-case results here")
    parser.add_argument("--answers", action="store_true", help="print each case's answer text too")


def _rubric_for(suite: Path) -> Path | None:
    """A suite's rubric beside it: rubric_<suite>.json, rubric_<suite without test_>.json, then rubric.json."""
    name = suite.name
    for candidate in (f"rubric_{name}.json", f"rubric_{name.removeprefix('test_')}.json", "rubric.json"):
        if (suite.parent / candidate).is_file():
            return suite.parent / candidate
    return None


def _default_suites() -> list[Path]:
    if not DEFAULT_EVAL_ROOT.is_dir():
        raise SystemExit(f"aisre eval: no --suite given and no {DEFAULT_EVAL_ROOT} here (run it from the repository)")
    return sorted(p for p in DEFAULT_EVAL_ROOT.glob("*/test_*") if p.is_dir())


def run_eval(args: argparse.Namespace) -> int:
    # Imported here so that other subcommands do not load the analyzer.
    import json
    import time

    from aisre.investigations.adapters.tools.holmes_cases import iter_cases
    from aisre.investigations.service.eval import format_table, run_suite

    if args.suite is not None and not args.suite.is_dir():
        raise SystemExit(f"aisre eval: --suite {args.suite} is not a folder")
    suites = [args.suite] if args.suite is not None else _default_suites()
    started = time.perf_counter()
    payload: dict[str, list[dict[str, object]]] = {"cases": []}
    totals = [0, 0]
    for suite in suites:
        rubric_path = args.rubric if args.suite is not None and args.rubric else _rubric_for(suite)
        rubric = json.loads(rubric_path.read_text(encoding="utf-8")) if rubric_path else None
        results = run_suite(iter_cases(suite), rubric)
        if len(suites) > 1:
            print(f"== {suite}", flush=True)
        if args.answers:
            for result in results:
                print(f"===== {result.case}\n{result.answer}\n", flush=True)
        print(format_table(results), flush=True)
        payload["cases"] += [{"suite": str(suite), **result.to_json()} for result in results]
        scored = [r for r in results if r.passed is not None]
        totals[0] += sum(1 for r in scored if r.passed)
        totals[1] += len(scored)
    if len(suites) > 1:
        print(f"== all suites: passed {totals[0]}/{totals[1]} in {time.perf_counter() - started:.1f} s", flush=True)
    if args.json_out:
        args.json_out.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    return 0


# --- openapi --------------------------------------------------------------------------------------


def _openapi_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--output", type=Path, default=None, help="write the document here (default: print it); docs/openapi.json"
    )
    parser.add_argument(
        "--check", action="store_true", help="exit 1 if --output differs from the document the code builds"
    )


def run_openapi(args: argparse.Namespace) -> int:
    # Imported here so that other subcommands do not load FastAPI and every router.
    import difflib

    from aisre.app import ALL_GROUPS, create_app
    from aisre.core.http.openapi import render

    text = render(create_app(ALL_GROUPS).openapi())
    if args.output is None:
        sys.stdout.write(text)
        return 0
    if args.check:
        current = args.output.read_text(encoding="utf-8") if args.output.exists() else ""
        if current == text:
            print(f"aisre openapi: {args.output} is up to date", flush=True)
            return 0
        diff = difflib.unified_diff(
            current.splitlines(keepends=True), text.splitlines(keepends=True), str(args.output), "generated"
        )
        sys.stdout.writelines(list(diff)[:200])
        print(f"aisre openapi: {args.output} is stale: run `make openapi` and commit it", file=sys.stderr, flush=True)
        return 1
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text, encoding="utf-8")
    print(f"aisre openapi: wrote {args.output}", flush=True)
    return 0


# --- migrate --------------------------------------------------------------------------------------


def _migrate_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--endpoint-url", default=None, help="DynamoDB endpoint (default: AWS_ENDPOINT_URL_DYNAMODB, AWS_ENDPOINT_URL)"
    )
    parser.add_argument("--table-name", default=None, help="the table (default: TABLE_NAME, else aisre)")


def run_migrate(args: argparse.Namespace) -> int:
    # Imported here so that other subcommands do not load PynamoDB and the incidents' records.
    from aisre.core.scope import default_scope, reset_scope
    from aisre.core.settings import get_settings
    from aisre.incidents.providers import incident_backfill

    # The settings read the environment (core/settings.py): the options take its place for this run.
    if args.endpoint_url:
        os.environ["AWS_ENDPOINT_URL_DYNAMODB"] = args.endpoint_url
    if args.table_name:
        os.environ["TABLE_NAME"] = args.table_name
    get_settings.cache_clear()
    reset_scope()
    report = default_scope().get(incident_backfill)()
    print(f"aisre migrate: {report.summary()}", flush=True)
    return 0


# --- the command ----------------------------------------------------------------------------------

COMMANDS: dict[str, Command] = {
    "serve": Command("run the platform locally: emulated AWS, queue pollers, HTTP API", _serve_arguments, run_serve),
    "eval": Command("score the deterministic analyzer on recorded investigation cases", _eval_arguments, run_eval),
    "openapi": Command("write (or --check) the API document, docs/openapi.json", _openapi_arguments, run_openapi),
    "migrate": Command(
        "bring stored incidents up to the current data model (idempotent); see docs/data-model.md",
        _migrate_arguments,
        run_migrate,
    ),
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="aisre", description="aisre: the AI SRE platform")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name, command in COMMANDS.items():
        sub = subparsers.add_parser(name, help=command.help, description=command.help)
        command.add_arguments(sub)
        sub.set_defaults(run=command.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    result: int = args.run(args)
    return result


if __name__ == "__main__":
    sys.exit(main())
