"""Every route of an endpoint group reaches that group's function through API Gateway: the template's HttpApi
routes chosen as an HTTP API chooses them (a path of its own over a greedy {proxy+}, the longest greedy prefix over a
shorter one, a method over ANY), so that a route is neither unreachable nor served by another group's function (its
role and layers would be wrong: seed 002's /api/v1/workflows sits under the HolmesGPT routes' /api/{proxy+})."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from aisre.app import GROUPS, create_app
from aisre.local.template import load_template

ROOT = Path(__file__).resolve().parents[2]
# The local server's own routes that API Gateway does not serve (documentation, the schema).
LOCAL_ONLY = {"/docs", "/docs/oauth2-redirect", "/openapi.json", "/docs/static/{path:path}"}


def _routes() -> list[tuple[str, str, str]]:
    """(function's folder, method, path) of every HttpApi event of the template."""
    template = load_template(ROOT / "template.yaml")
    found = []
    for spec in template["Resources"].values():
        if spec["Type"] != "AWS::Serverless::Function":
            continue
        folder = spec["Properties"]["CodeUri"].strip("/").rpartition("/")[2]
        for event in (spec["Properties"].get("Events") or {}).values():
            if event["Type"] == "HttpApi":
                found.append((folder, event["Properties"]["Method"].upper(), event["Properties"]["Path"]))
    return found


def _match(route: str, path: str) -> tuple[int, int, int] | None:
    """How specifically `route` matches `path` (higher is more specific), or None."""
    route_parts, path_parts = route.strip("/").split("/"), path.strip("/").split("/")
    greedy = route_parts[-1].endswith("+}")
    fixed = route_parts[:-1] if greedy else route_parts
    if greedy and len(path_parts) <= len(fixed):
        return None
    if not greedy and len(path_parts) != len(fixed):
        return None
    literals = 0
    for wanted, got in zip(fixed, path_parts, strict=False):
        if wanted.startswith("{"):
            continue
        if wanted != got:
            return None
        literals += 1
    return (0 if greedy else 1, len(fixed), literals)


def _function_for(method: str, path: str, routes: list[tuple[str, str, str]]) -> str | None:
    best: tuple[tuple[int, int, int], int, str] | None = None
    for folder, route_method, route_path in routes:
        if route_method not in (method, "ANY"):
            continue
        score = _match(route_path, path)
        if score is None:
            continue
        candidate = (score, 1 if route_method == method else 0, folder)
        if best is None or candidate[:2] > best[:2]:
            best = candidate
    return best[2] if best else None


def _groups_of(folder: str) -> set[str]:
    """The endpoint groups a function's handler builds its app of (`http_handler([...])`)."""
    handler = (ROOT / "functions" / folder / "handler.py").read_text(encoding="utf-8")
    found = re.search(r"http_handler\(\[([^\]]*)\]\)", handler)
    return set(re.findall(r'"([a-z_]+)"', found.group(1))) if found else set()


def _sample_path(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "x1", path)


@pytest.mark.parametrize("group", sorted(GROUPS))
def test_every_route_of_a_group_reaches_a_function_of_that_group(group: str) -> None:
    routes = _routes()
    document = create_app([group]).openapi()
    checked = 0
    for path, operations in document["paths"].items():
        if path in LOCAL_ONLY:
            continue
        for method in operations:
            served_by = _function_for(method.upper(), _sample_path(path), routes)
            assert served_by is not None, f"{method.upper()} {path} reaches no function"
            assert group in _groups_of(served_by), f"{method.upper()} {path} reaches {served_by}, not {group}'s"
            checked += 1
    assert checked >= 1
