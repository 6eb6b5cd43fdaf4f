"""`make contract`: schemathesis holds the running server to its OpenAPI document.

Starts `aisre serve` on a free loopback port (a fresh embedded stack), waits for GET /health 200, runs
schemathesis over every operation of docs/openapi.json with a bounded number of examples each, prints the
figures (operations, test cases, failures by check) and stops the server. Exit status: schemathesis's.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx

from tests.support.servers import free_port

ROOT = Path(__file__).resolve().parents[2]
CHECKS = "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance"


def _bin(name: str) -> str:
    """A console script of this interpreter's environment (the venv's), not whatever is first on PATH."""
    return str(Path(sys.executable).parent / name)


def _wait_healthy(base_url: str, server: subprocess.Popen[bytes], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"contract: aisre serve exited with {server.returncode} before it was healthy")
        try:
            if httpx.get(f"{base_url}/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.25)
    raise SystemExit(f"contract: {base_url}/health did not answer 200 within {timeout:.0f} s")


def _stop(server: subprocess.Popen[bytes]) -> None:
    if server.poll() is None:
        server.send_signal(signal.SIGTERM)  # uvicorn shuts down gracefully, then the stack stops
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)  # its own session: the server and the emulator it started
            server.wait(timeout=10)


def figures(ndjson: Path) -> dict[str, Any]:
    """Operations, test cases and failures by check, read from schemathesis's NDJSON event stream."""
    operations: set[str] = set()
    cases = 0
    failing_cases: Counter[str] = Counter()
    unique: dict[str, set[tuple[str, str]]] = {}
    for line in ndjson.read_text(encoding="utf-8").splitlines():
        event = json.loads(line)
        finished = event.get("ScenarioFinished")
        if finished is None:
            continue
        recorder = finished.get("recorder", {})
        if finished.get("phase") != "stateful" and recorder.get("label"):
            operations.add(recorder["label"])
        cases += len(recorder.get("cases", {}))
        for checks in recorder.get("checks", {}).values():
            for check in checks:
                if check.get("status") != "failure":
                    continue
                failure = check.get("failure_info", {}).get("failure", {})
                failing_cases[check["name"]] += 1
                key = (failure.get("operation", recorder.get("label", "?")), failure.get("title", ""))
                unique.setdefault(check["name"], set()).add(key)
    return {
        "operations": len(operations),
        "test_cases": cases,
        "failing_cases_by_check": dict(failing_cases),
        "failed_operations_by_check": {name: sorted(op for op, _ in keys) for name, keys in unique.items()},
    }


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.contract", description=__doc__)
    parser.add_argument("--schema", type=Path, default=ROOT / "docs" / "openapi.json")
    parser.add_argument("--max-examples", type=int, default=int(os.environ.get("CONTRACT_MAX_EXAMPLES", "20")))
    parser.add_argument("--workers", default=os.environ.get("CONTRACT_WORKERS", "2"))
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--report-dir", type=Path, default=None, help="keep schemathesis's reports here")
    parser.add_argument("extra", nargs="*", help="more `st run` options, after --")
    args = parser.parse_args()

    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    workdir = Path(tempfile.mkdtemp(prefix="aisre-contract-"))
    report_dir = args.report_dir or workdir
    report_dir.mkdir(parents=True, exist_ok=True)
    server_log = workdir / "server.log"
    print(f"contract: starting aisre serve on {base_url} (log {server_log})", flush=True)
    with server_log.open("wb") as log:
        server = subprocess.Popen(
            # In memory: a contract run's requests are nobody's data, and `make run` may hold .aisre/.
            [_bin("aisre"), "serve", "--host", "127.0.0.1", "--port", str(port), "--ephemeral"],
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        _wait_healthy(base_url, server, timeout=180)
        ndjson = report_dir / "events.ndjson"
        command = [
            _bin("st"),
            "run",
            str(args.schema),
            "--url",
            base_url,
            "--checks",
            CHECKS,
            "--max-examples",
            str(args.max_examples),
            "--workers",
            str(args.workers),
            "--request-timeout",
            "60",
            "--report",
            "ndjson",
            "--report-ndjson-path",
            str(ndjson),
            "--no-color",
            *(["--seed", str(args.seed)] if args.seed is not None else []),
            *args.extra,
        ]
        started = time.monotonic()
        result = subprocess.run(command, cwd=workdir, check=False)  # its .schemathesis cache stays out of the tree
        elapsed = time.monotonic() - started
        found = figures(ndjson) if ndjson.exists() else {}
        failing = found.get("failing_cases_by_check", {})
        for check, operations in found.get("failed_operations_by_check", {}).items():
            print(f"contract: {check} failed on {', '.join(sorted(set(operations)))}", flush=True)
        print(
            f"contract: {found.get('operations', 0)} operations, {found.get('test_cases', 0)} test cases, "
            f"{sum(failing.values())} failing ({', '.join(f'{k}: {v}' for k, v in failing.items()) or 'none'}), "
            f"{elapsed:.0f} s, exit {result.returncode}",
            flush=True,
        )
        return result.returncode
    finally:
        _stop(server)


if __name__ == "__main__":
    raise SystemExit(main())
