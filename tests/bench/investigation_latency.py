"""Alert to diagnosis through the analyzer alone: gather (the loop of hops, over HolmesGPT's recorded tool
outputs) + analyze + render, per public case, repeated; the percentiles of one investigation's wall time."""

from __future__ import annotations

import statistics
import time
from pathlib import Path
from typing import Any

from aisre.investigations.adapters.tools.holmes_cases import iter_cases
from aisre.investigations.model.analysis import analyze, render_answer
from aisre.investigations.service.gather import gather

SUITE = Path(__file__).resolve().parents[1] / "evals" / "cases" / "holmesgpt" / "test_investigate"
ROUNDS = 20


def _percentile(ordered: list[float], share: float) -> float:
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def run(rounds: int = ROUNDS) -> dict[str, Any]:
    cases = [case for case in iter_cases(SUITE) if case.question is None]
    per_case: dict[str, list[float]] = {case.name: [] for case in cases}
    calls: dict[str, int] = {}
    for _ in range(rounds):
        for case in cases:
            started = time.perf_counter()
            evidence = gather(case.issue, case.runner)
            render_answer(analyze(evidence))
            per_case[case.name].append((time.perf_counter() - started) * 1000)
            calls[case.name] = len(evidence.results)
    everything = sorted(ms for samples in per_case.values() for ms in samples)
    slowest = max(per_case, key=lambda name: statistics.median(per_case[name]))
    return {
        "cases x rounds": f"{len(cases)} x {rounds}",
        "p50_ms": round(statistics.median(everything), 1),
        "p95_ms": round(_percentile(everything, 0.95), 1),
        "max_ms": round(everything[-1], 1),
        "slowest case (median ms)": f"{slowest} ({statistics.median(per_case[slowest]):.1f})",
        "tool calls per case (min/median/max)": (
            f"{min(calls.values())}/{statistics.median(calls.values()):g}/{max(calls.values())}"
        ),
        "per case p95_ms": {name: round(_percentile(sorted(s), 0.95), 1) for name, s in per_case.items()},
    }


def report(result: dict[str, Any]) -> None:
    print("\n== Alert -> diagnosis, analyzer path (gather loop + analyze + render, replayed public cases) ==")
    for key, value in result.items():
        if isinstance(value, dict):
            print(key)
            for name, ms in value.items():
                print(f"  {name:<36} {ms}")
        else:
            print(f"{key:<40} {value}")


if __name__ == "__main__":
    report(run())
