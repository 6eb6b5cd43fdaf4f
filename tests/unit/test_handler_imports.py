"""Cold start is a feature: an HTTP Lambda imports its group's routers, not the code only other groups, or
only a request, need. Checked in a fresh interpreter per function, as Lambda starts one."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# Modules a function's import must not load: heavy clients, the analyzer's rules, the agent, other groups.
HEAVY = ("kubernetes", "openai", "opensearchpy", "yaml", "aisre.local")
ENGINE = ("aisre.investigations.model.analysis.rules", "aisre.investigations.service", "aisre.remediation.model")
NOT_LOADED: dict[str, tuple[str, ...]] = {
    "webhooks": (*HEAVY, *ENGINE, "aisre.investigations", "aisre.incidents.api.incidents"),
    "incidents": (*HEAVY, *ENGINE, "aisre.investigations", "aisre.alerts"),
    "investigations": (*HEAVY, *ENGINE, "aisre.alerts"),
    "ingest": (*HEAVY, *ENGINE, "aisre.investigations", "fastapi"),
    # The actions and autonomy groups' routers only: the service, the policy, the catalog and the kubernetes client
    # load with the first request that needs them.
    "actions": (
        *HEAVY,
        *ENGINE,
        "aisre.investigations",
        "aisre.alerts",
        "aisre.remediation.service",
        "aisre.remediation.adapters",
        "aisre.remediation.store",
        "aisre.incidents.api",
        # Autonomy's router too: its cycle, model and store load with the first request for them.
        "aisre.autonomy.model",
        "aisre.autonomy.service",
        "aisre.autonomy.store",
    ),
    # The workflows group's routers only: the services, the compiler, the definitions' YAML, Step Functions' client
    # and everything that runs a step load with the first request that needs them.
    "workflows": (
        *HEAVY,
        *ENGINE,
        "boto3",
        "aisre.investigations",
        "aisre.alerts",
        "aisre.remediation.service",
        "aisre.remediation.adapters",
        "aisre.remediation.store",
        "aisre.workflows.service",
        "aisre.workflows.model",
        "aisre.workflows.adapters",
        "aisre.workflows.store",
        "aisre.incidents.api",
    ),
    # The read steps: nothing of the HTTP stack, the write path or the engine until a Task asks.
    "workflow_steps": (
        *HEAVY,
        *ENGINE,
        "fastapi",
        "aisre.alerts",
        "aisre.investigations",
        "aisre.remediation.service",
        "aisre.remediation.adapters",
        "aisre.workflows.service",
    ),
    # The starter starts executions: none of the engine that runs them, nor the HTTP stack.
    "starter": (
        *HEAVY,
        "aisre.investigations.model.analysis",
        "aisre.investigations.service.investigations",
        "aisre.investigations.service.agent",
        "aisre.remediation.model",
        "aisre.alerts",
        "fastapi",
    ),
    # The live functions: their own capability, the table and boto3; none of the HTTP stack or the others.
    "live_socket": (*HEAVY, "fastapi", "aisre.alerts", "aisre.incidents", "aisre.investigations", "aisre.remediation"),
    "live_fanout": (*HEAVY, "fastapi", "aisre.alerts", "aisre.incidents", "aisre.investigations", "aisre.remediation"),
}


def loaded_modules(function: str) -> set[str]:
    handler_dir = ROOT / "functions" / function
    program = (
        f"import sys, json\nsys.path.insert(0, {str(handler_dir)!r})\n"
        "import handler\nprint(json.dumps(sorted(sys.modules)))"
    )
    env = {key: value for key, value in os.environ.items() if not key.startswith(("AWS_", "POWERTOOLS", "AISRE_"))}
    env.update(AISRE_PROFILE="aws", AWS_REGION="us-east-1", TABLE_NAME="aisre", POWERTOOLS_TRACE_DISABLED="true")
    out = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, env=env, cwd=handler_dir)
    assert out.returncode == 0, out.stderr
    return set(json.loads(out.stdout.splitlines()[-1]))


@pytest.mark.parametrize("function", sorted(NOT_LOADED))
def test_a_function_imports_only_what_its_group_needs(function: str) -> None:
    loaded = loaded_modules(function)
    unwanted = sorted(
        module
        for module in loaded
        for prefix in NOT_LOADED[function]
        if module == prefix or module.startswith(prefix + ".")
    )
    assert unwanted == []


# What the investigation functions build to read a diagnosis and judge suggestions (remediation's read-only
# ProposalReads among them) must not bring the write path with it: no action or approval service, no cluster writer.
WRITE_PATH = (
    "aisre.remediation.service.actions",
    "aisre.remediation.service.runs",
    "aisre.remediation.service.approvals",
    "aisre.remediation.service.operations",
    "aisre.remediation.adapters.kubernetes_cluster",
)


def test_reading_diagnoses_and_judging_suggestions_builds_nothing_of_the_write_path() -> None:
    program = (
        "import sys, json\n"
        "from aisre.core.scope import default_scope\n"
        "from aisre.investigations.providers import diagnosis_reader, investigation_service\n"
        "scope = default_scope()\n"
        "scope.get(diagnosis_reader); scope.get(investigation_service)\n"
        "print(json.dumps(sorted(sys.modules)))"
    )
    env = {key: value for key, value in os.environ.items() if not key.startswith(("AWS_", "POWERTOOLS", "AISRE_"))}
    env.update(AISRE_PROFILE="aws", AWS_REGION="us-east-1", TABLE_NAME="aisre", POWERTOOLS_TRACE_DISABLED="true")
    out = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, env=env, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    loaded = set(json.loads(out.stdout.splitlines()[-1]))
    assert "aisre.remediation.service.proposal_reads" in loaded
    assert sorted(loaded & set(WRITE_PATH)) == []
