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
FUNCTIONS = ("webhooks", "incidents", "ingest")
RUNS = 9


def _time(code: str, env: dict[str, str], cwd: Path) -> float:
    program = f"import time\nt = time.perf_counter()\n{code}\nprint(time.perf_counter() - t)"
    out = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, env=env, cwd=cwd, check=True)
    return float(out.stdout.strip().splitlines()[-1])


def _median_ms(code: str, env: dict[str, str], cwd: Path) -> float:
    _time(code, env, cwd)  # warm the .pyc cache: Lambda ships compiled layers
    return statistics.median(_time(code, env, cwd) for _ in range(RUNS)) * 1000


def _env(in_lambda: bool) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("AWS_LAMBDA", "POWERTOOLS"))}
    env.update(AISRE_PROFILE="aws", TABLE_NAME="aisre-bench", AWS_REGION="us-east-1")
    if in_lambda:
        # Powertools enables the tracer (and imports the X-Ray SDK) only inside Lambda.
        env.update(AWS_LAMBDA_FUNCTION_NAME="aisre-bench", AWS_EXECUTION_ENV="AWS_Lambda_python3.12")
    return env


def run() -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for in_lambda in (False, True):
        env = _env(in_lambda)
        baseline = _median_ms(BASELINE, env, ROOT)
        for function in FUNCTIONS:
            handler_dir = ROOT / "functions" / function
            code = f"import sys\nsys.path.insert(0, {str(handler_dir)!r})\nimport handler"
            total = _median_ms(code, env, handler_dir)
            rows.append(
                {
                    "function": function,
                    "tracing": "on (Lambda)" if in_lambda else "off",
                    "baseline_ms": round(baseline, 1),
                    "handler_import_ms": round(total, 1),
                    "added_ms": round(total - baseline, 1),
                }
            )
    return rows


def report(rows: list[dict[str, object]]) -> None:
    print(f"\n== Cold start: median import of each handler (fresh interpreter, {RUNS} runs) ==")
    print(f"{'function':<10} {'tracing':<12} {'baseline ms':>12} {'handler ms':>11} {'added ms':>9}")
    for row in rows:
        print(
            f"{row['function']:<10} {row['tracing']:<12} {row['baseline_ms']:>12} {row['handler_import_ms']:>11}"
            f" {row['added_ms']:>9}"
        )


if __name__ == "__main__":
    report(run())
