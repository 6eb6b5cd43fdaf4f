"""Unzipped size of each Lambda function with its layers, read from `sam build`'s output (.aws-sam/build):
the function's own code, each layer it references, the total, and its target. Run `make build` first.
`python -m tests.bench.sizes --check` exits 1 when a function is over its budget (for CI).

Also checks that every compiled file in the build is for the functions' processor (arm64: ELF aarch64).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

from aisre.local.template import load_template

ROOT = Path(__file__).resolve().parents[2]
BUILD = ROOT / ".aws-sam" / "build"
MIB = 1024 * 1024
# The budgets, unzipped, function and layers together: the HTTP groups and the queue consumers carry the base
# runtime only; the investigation functions add their tools' clients. Lambda's own limit is 250 MiB.
TARGET_MB = {
    "WebhooksFunction": 60,
    "IncidentsFunction": 60,
    "IngestFunction": 60,
    "InvestigationStarterFunction": 60,
    "InvestigationsFunction": 150,
    "StepsFunction": 150,
    "ActionsFunction": 150,
    "WorkflowsFunction": 60,
    "WorkflowStepsFunction": 150,
    "NotificationsFunction": 60,
    "NotificationDeliveryFunction": 60,
    "ConsoleFunction": 60,
    "LiveSocketFunction": 60,
    "LiveFanOutFunction": 60,
}
LAMBDA_LIMIT_MB = 250
# What changes the build: when one of these is newer than the build, the figures are stale.
INPUTS = ("template.yaml", "uv.lock", "layers", "shared/aisre", "functions")
ELF_MACHINE = {0x3E: "x86_64", 0xB7: "aarch64", 0x03: "x86"}


def _size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file() and not f.is_symlink())


def _layer_ids(layers: list[Any]) -> list[str]:
    return [layer["Ref"] for layer in layers if isinstance(layer, dict) and "Ref" in layer]


def _machines() -> dict[str, list[str]]:
    """ELF shared objects in the build, by processor."""
    found: dict[str, list[str]] = {}
    for path in BUILD.rglob("*.so*"):
        if not path.is_file():
            continue
        with path.open("rb") as f:
            header = f.read(20)
        if header[:4] != b"\x7fELF":
            continue
        machine = int.from_bytes(header[18:20], "little" if header[5] == 1 else "big")
        found.setdefault(ELF_MACHINE.get(machine, hex(machine)), []).append(str(path.relative_to(BUILD)))
    return found


def _stale() -> list[str]:
    built = (BUILD / "template.yaml").stat().st_mtime
    stale = []
    for name in INPUTS:
        path = ROOT / name
        files = (
            [path] if path.is_file() else [f for f in path.rglob("*") if f.is_file() and "__pycache__" not in f.parts]
        )
        if any(f.stat().st_mtime > built for f in files):
            stale.append(name)
    return stale


def run() -> dict[str, Any] | None:
    """The sizes, or None when there is no build to read."""
    if not (BUILD / "template.yaml").is_file():
        return None
    template = load_template(BUILD / "template.yaml")  # the built template, intrinsics in long form
    common = _layer_ids(((template.get("Globals") or {}).get("Function") or {}).get("Layers") or [])
    resources = template["Resources"]
    rows = []
    for logical_id, spec in resources.items():
        if spec.get("Type") != "AWS::Serverless::Function":
            continue
        # SAM's Globals: a function's Layers come after the global ones.
        layer_ids = common + _layer_ids(spec["Properties"].get("Layers") or [])
        code_uri = spec["Properties"].get("CodeUri", logical_id)
        code = _size(BUILD / code_uri) if (BUILD / code_uri).is_dir() else _size(BUILD / logical_id)
        layers = {layer: _size(BUILD / layer) for layer in layer_ids}
        rows.append(
            {
                "function": logical_id,
                "code_mb": code / MIB,
                "layers_mb": {layer: size / MIB for layer, size in layers.items()},
                "total_mb": (code + sum(layers.values())) / MIB,
                "target_mb": TARGET_MB.get(logical_id, LAMBDA_LIMIT_MB),
            }
        )
    return {"functions": rows, "machines": _machines(), "stale": _stale()}


def report(result: dict[str, Any] | None) -> None:
    print("\n== Sizes: each function with its layers, unzipped, from .aws-sam/build (MB = MiB) ==")
    if result is None:
        print("no build in .aws-sam/build: run `make build` first (sam validate --lint && sam build)")
        return
    if result["stale"]:
        print(f"(the build is older than {', '.join(result['stale'])}: `make build` for current figures)")
    print(f"{'function':<24} {'code MB':>8}  {'layers MB':<44} {'total MB':>9} {'target':>7}")
    for row in result["functions"]:
        layers = ", ".join(f"{name} {size:.1f}" for name, size in row["layers_mb"].items())
        verdict = "ok" if row["total_mb"] <= row["target_mb"] else "OVER"
        print(
            f"{row['function']:<24} {row['code_mb']:>8.2f}  {layers:<44} {row['total_mb']:>9.1f}"
            f" {'<= ' + str(row['target_mb']):>7} {verdict}"
        )
    machines = result["machines"]
    counts = ", ".join(f"{len(files)} {machine}" for machine, files in sorted(machines.items())) or "none"
    print(f"compiled files (ELF .so): {counts}")
    for machine, files in sorted(machines.items()):
        if machine != "aarch64":
            print(f"  not arm64 ({machine}): {', '.join(files[:5])}{' ...' if len(files) > 5 else ''}")


def problems(result: dict[str, Any] | None) -> list[str]:
    """What `--check` fails on: no build, a function over its budget, a compiled file not for arm64."""
    if result is None:
        return ["no build in .aws-sam/build"]
    found = [
        f"{row['function']} is {row['total_mb']:.1f} MB, over {row['target_mb']} MB"
        for row in result["functions"]
        if row["total_mb"] > row["target_mb"]
    ]
    found += [f"{len(files)} {machine} files" for machine, files in result["machines"].items() if machine != "aarch64"]
    return found


if __name__ == "__main__":
    # `python -m tests.bench.sizes --check` (after `make build`, e.g. in CI) exits 1 on any problem.
    os.chdir(ROOT)
    figures = run()
    report(figures)
    if "--check" in sys.argv[1:] and problems(figures):
        print("size check failed: " + "; ".join(problems(figures)))
        raise SystemExit(1)
