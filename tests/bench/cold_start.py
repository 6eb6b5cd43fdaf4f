"""Cold start: median import time of each function's handler in a fresh interpreter, against the
baseline `import fastapi, mangum, pynamodb.models, aws_lambda_powertools` alone."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BASELINE = "import fastapi, mangum, pynamodb.models, aws_lambda_powertools"
FUNCTIONS = (
    "webhooks",
    "incidents",
    "investigations",
    "ingest",
    "steps",
    "actions",
    "workflows",
    "workflow_steps",
    "console",
)
RUNS = 15


def _time(code: str, env: dict[str, str], cwd: Path) -> float:
    program = f"import time\nt = time.perf_counter()\n{code}\nprint(time.perf_counter() - t)"
    out = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, env=env, cwd=cwd, check=True)
    return float(out.stdout.strip().splitlines()[-1])


def _env(sdk_tracing: bool) -> dict[str, str]:
    """A Lambda-like environment; the X-Ray SDK is loaded only when POWERTOOLS_TRACE_DISABLED is false."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("AWS_LAMBDA", "POWERTOOLS"))}
    # The warm-up import writes the handler's own .pyc files, as a deployed layer ships compiled files.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.update(
        AISRE_PROFILE="aws",
        TABLE_NAME="aisre-bench",
        AWS_REGION="us-east-1",
        AWS_LAMBDA_FUNCTION_NAME="aisre-bench",
        AWS_EXECUTION_ENV="AWS_Lambda_python3.12",
        POWERTOOLS_TRACE_DISABLED="false" if sdk_tracing else "true",
    )
    return env


def run() -> list[dict[str, object]]:
    """Baseline and handler imports are timed in alternation and paired, so drift in the machine's load
    (other processes on the 2 cores) lands in both halves of a pair rather than in their difference."""
    rows: list[dict[str, object]] = []
    for sdk_tracing in (False, True):
        env = _env(sdk_tracing)
        for function in FUNCTIONS:
            handler_dir = ROOT / "functions" / function
            code = f"import sys\nsys.path.insert(0, {str(handler_dir)!r})\nimport handler"
            _time(code, env, handler_dir)  # warm the .pyc cache: a deployed layer ships compiled files
            baselines: list[float] = []
            handlers: list[float] = []
            for _ in range(RUNS):
                baselines.append(_time(BASELINE, env, ROOT))
                handlers.append(_time(code, env, handler_dir))
            added = [handler - baseline for handler, baseline in zip(handlers, baselines, strict=True)]
            rows.append(
                {
                    "function": function,
                    "tracing": "X-Ray SDK on" if sdk_tracing else "default",
                    "baseline_ms": round(statistics.median(baselines) * 1000, 1),
                    "handler_import_ms": round(statistics.median(handlers) * 1000, 1),
                    "added_ms": round(statistics.median(added) * 1000, 1),
                    # Fastest against fastest: the least disturbed run of each, steadier on a shared machine.
                    "added_min_ms": round((min(handlers) - min(baselines)) * 1000, 1),
                }
            )
    return rows


def report(rows: list[dict[str, object]]) -> None:
    print(f"\n== Cold start: median import of each handler (fresh interpreter, {RUNS} paired runs) ==")
    print("added: the handler's import over the baseline's; median of paired differences, and fastest over fastest")
    header = f"{'function':<15} {'tracing':<13} {'baseline ms':>12} {'handler ms':>11} {'added ms':>9}"
    header += f" {'added min':>10}"
    print(header)
    for row in rows:
        print(
            f"{row['function']:<15} {row['tracing']:<13} {row['baseline_ms']:>12} {row['handler_import_ms']:>11}"
            f" {row['added_ms']:>9} {row['added_min_ms']:>10}"
        )


if __name__ == "__main__":
    report(run())
