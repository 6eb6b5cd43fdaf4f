"""Each Lambda layer's requirement list is enough for the code that runs on it, and no more.

An environment is built from ONLY a layer's exported list (layers/<layer>/requirements.txt, installed with
--no-deps as layers/Makefile does) plus what the Lambda runtime provides (layers/lambda-runtime.txt: boto3,
botocore), with shared/ on the path as the code layer puts it. Then, in that interpreter:

- investigations layer (investigations and steps functions): every module of the aisre package imports
  (all but aisre.local* and aisre.cli, the laptop's), and so does every name those modules import lazily,
  inside a function (`import httpx` in a tool, `from kubernetes import client`);
- base layer (webhooks, incidents, ingest): each function's handler.py imports (it builds its app), the
  packages that the aisre modules it loaded import lazily resolve (`from cryptography import x509` for SNS
  signatures), and the heavy clients (kubernetes, openai, opensearchpy) were neither imported nor are
  installed at all.

Both also check the list is complete (`uv pip check`), and another test that template.yaml gives each
function the layer checked here.

uv builds the environments from its cache (`make setup` fills most of it) in seconds; the whole file takes
about 30 s on 2 cores.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from aisre.local.template import load_template

ROOT = Path(__file__).resolve().parents[2]
LAYERS = ROOT / "layers"
SHARED = ROOT / "shared"
RUNTIME_PROVIDED = LAYERS / "lambda-runtime.txt"

HEAVY_CLIENTS = ("kubernetes", "openai", "opensearchpy")
# The layer of third-party packages each function gets (the code layer, CodeLayer, goes to all of them).
FUNCTION_LAYERS = {
    "webhooks": "BaseLayer",
    "incidents": "BaseLayer",
    "ingest": "BaseLayer",
    "starter": "BaseLayer",
    "investigations": "InvestigationsLayer",
    "steps": "InvestigationsLayer",
    "actions": "InvestigationsLayer",
    "workflows": "BaseLayer",
    "workflow_steps": "InvestigationsLayer",
    "notifications": "BaseLayer",
    "notification_delivery": "BaseLayer",
    "console": "BaseLayer",
    "live_socket": "BaseLayer",
    "live_fanout": "BaseLayer",
}
LAYER_LISTS = {
    "BaseLayer": LAYERS / "base" / "requirements.txt",
    "InvestigationsLayer": LAYERS / "investigations" / "requirements.txt",
}
LIGHT_FUNCTIONS = [name for name, layer in FUNCTION_LAYERS.items() if layer == "BaseLayer"]

# A Lambda-like environment (no credentials are needed to build the apps: clients are made, not called).
LAMBDA_ENV = {
    "AISRE_PROFILE": "aws",
    "TABLE_NAME": "aisre-layer-test",
    "AWS_REGION": "us-east-1",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_LAMBDA_FUNCTION_NAME": "aisre-layer-test",
    "AWS_EXECUTION_ENV": "AWS_Lambda_python3.12",
    "POWERTOOLS_TRACE_DISABLED": "true",
}

# Runs inside the layer's interpreter: helpers shared by both checks. Every module file of the package is
# found by walking its folders (pkgutil alone skips folders without __init__.py, namespace packages such as
# aisre/services), so a module moved to a new package is checked without naming it here.
PRELUDE = r'''
import ast, importlib, importlib.util, json, os, pkgutil, sys, traceback

def module_files(package):
    """(module name, file) of every module under the package's folders, namespace packages included."""
    found = []
    def walk(folder, prefix):
        for info in pkgutil.iter_modules([folder], prefix):
            leaf = info.name.rpartition(".")[2]
            path = os.path.join(folder, leaf)
            found.append((info.name, os.path.join(path, "__init__.py") if info.ispkg else path + ".py"))
            if info.ispkg:
                walk(path, info.name + ".")
        for entry in sorted(os.scandir(folder), key=lambda e: e.name):
            namespace = not os.path.exists(os.path.join(entry.path, "__init__.py"))
            if entry.is_dir() and entry.name.isidentifier() and namespace:
                walk(entry.path, prefix + entry.name + ".")
    for folder in package.__path__:
        walk(folder, package.__name__ + ".")
    return found

def lazy_imports(path):
    """Absolute imports inside functions (not at module level, not under `if TYPE_CHECKING:`)."""
    tree = ast.parse(open(path, encoding="utf-8").read(), path)
    found = []
    def visit(node, nested):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            return
        if nested and isinstance(node, ast.Import):
            found.extend((alias.name, None) for alias in node.names)
        elif nested and isinstance(node, ast.ImportFrom) and node.level == 0 and node.module != "__future__":
            found.extend((node.module, alias.name) for alias in node.names)
        inside = nested or isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
        for child in ast.iter_child_nodes(node):
            visit(child, inside)
    visit(tree, False)
    return found

def resolve(module, name):
    """Import `module` (and `name` from it, as `from module import name` would); an error text or None."""
    try:
        imported = importlib.import_module(module)
        if name is not None and not hasattr(imported, name):
            importlib.import_module(f"{module}.{name}")
    except BaseException as error:  # noqa: BLE001 - SystemExit from a module is a failure like any other
        return f"{type(error).__name__}: {error}"
    return None
'''


def _uv() -> str:
    for candidate in (ROOT / ".uv" / "bin" / "uv", shutil.which("uv")):
        if candidate and Path(candidate).exists():
            return str(candidate)
    pytest.skip("uv not found: `make setup` installs it in .uv/")


@pytest.fixture(scope="session")
def layer_python(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Path]:
    """The interpreter of an environment holding only a layer's list and the runtime's packages (built once)."""
    uv = _uv()
    built: dict[str, Path] = {}

    def build(layer: str) -> Path:
        if layer not in built:
            venv = tmp_path_factory.mktemp(layer) / "venv"
            python = venv / "bin" / "python"
            env = {**os.environ, "UV_PYTHON_DOWNLOADS": "never"}
            subprocess.run([uv, "venv", "--quiet", "--python", sys.executable, str(venv)], check=True, env=env)
            install = [uv, "pip", "install", "--quiet", "--no-deps", "--python", str(python)]
            subprocess.run([*install, "-r", str(LAYER_LISTS[layer]), "-r", str(RUNTIME_PROVIDED)], check=True, env=env)
            # --no-deps installed the list as it is: every requirement of every package must be in it.
            check = subprocess.run(
                [uv, "pip", "check", "--python", str(python)], capture_output=True, text=True, env=env
            )
            assert check.returncode == 0, (
                f"{LAYER_LISTS[layer].relative_to(ROOT)} is not complete:\n{check.stdout}{check.stderr}"
            )
            built[layer] = python
        return built[layer]

    return build


def _run(python: Path, program: str, cwd: Path) -> dict[str, object]:
    """Run `program` isolated (-I: no PYTHONPATH, no user site) in a Lambda-like environment; its JSON out."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("AWS_", "POWERTOOLS", "AISRE_"))}
    env.update(LAMBDA_ENV)
    env.pop("PYTHONPATH", None)
    out = subprocess.run(
        [str(python), "-I", "-c", PRELUDE + textwrap.dedent(program)],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=300,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_template_gives_each_function_the_layers_this_test_checks() -> None:
    template = load_template(ROOT / "template.yaml")
    common = [layer["Ref"] for layer in template["Globals"]["Function"].get("Layers", [])]
    functions = {
        spec["Properties"]["CodeUri"].strip("/").rpartition("/")[2]: [
            layer["Ref"] for layer in spec["Properties"].get("Layers", [])
        ]
        for spec in template["Resources"].values()
        if spec["Type"] == "AWS::Serverless::Function"
    }
    assert common == ["CodeLayer"]
    assert functions == {name: [layer] for name, layer in FUNCTION_LAYERS.items()}


def test_investigations_layer_imports_every_module(layer_python: Callable[[str], Path]) -> None:
    python = layer_python("InvestigationsLayer")
    result = _run(
        python,
        f"""
        sys.path.insert(0, {str(SHARED)!r})
        import aisre
        failures = {{}}
        modules = [(name, path) for name, path in module_files(aisre)
                   if not (name == "aisre.local" or name.startswith("aisre.local.") or name == "aisre.cli")]
        for name, path in modules:
            error = resolve(name, None)
            if error:
                failures[name] = error
            for module, imported in lazy_imports(path):
                error = resolve(module, imported)
                if error:
                    failures[f"{{name}}: lazy {{module}}{{'.' + imported if imported else ''}}"] = error
        print(json.dumps({{"modules": len(modules), "failures": failures}}))
        """,
        ROOT,
    )
    assert result["failures"] == {}
    assert result["modules"] > 50  # the walk found the package (a few dozen modules today)


@pytest.mark.parametrize("function", LIGHT_FUNCTIONS)
def test_base_layer_runs_the_light_handlers_without_heavy_clients(
    layer_python: Callable[[str], Path], function: str
) -> None:
    python = layer_python("BaseLayer")
    handler_dir = ROOT / "functions" / function
    result = _run(
        python,
        f"""
        sys.path[:0] = [{str(handler_dir)!r}, {str(SHARED)!r}]
        import handler
        heavy = {HEAVY_CLIENTS!r}
        loaded = sorted(m for m in sys.modules if m.split(".")[0] in heavy)
        installed = [m for m in heavy if importlib.util.find_spec(m) is not None]
        failures = {{}}
        for name in sorted(m for m in sys.modules if m.startswith("aisre.")):
            path = getattr(sys.modules[name], "__file__", None)
            for module, imported in lazy_imports(path) if path else []:
                # Packages only: which lazily imported aisre module runs here (an investigation tool does
                # not) is the code's business; the investigations test imports them all.
                if module.split(".")[0] in (*heavy, "aisre"):
                    continue  # the heavy clients are absent from this layer on purpose
                error = resolve(module, imported)
                if error:
                    failures[f"{{name}}: lazy {{module}}{{'.' + imported if imported else ''}}"] = error
        print(json.dumps({{"handler": callable(handler.handler), "loaded": loaded, "installed": installed,
                           "failures": failures}}))
        """,
        handler_dir,
    )
    assert result["handler"] is True
    assert result["loaded"] == [], f"{function} imported heavy clients"
    assert result["installed"] == [], "heavy clients are in the base layer's list"
    assert result["failures"] == {}
