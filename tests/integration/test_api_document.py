"""The API document is the contract: the served one is the committed docs/openapi.json, every operation
documents its bodies, errors share one schema, and /docs works with no way out of the machine."""

from __future__ import annotations

import json
import re
from typing import Any

import httpx

from aisre.core.http.openapi import render
from aisre.core.http.schemas import ErrorResponse
from tests.conftest import PROJECT_ROOT

DOCUMENT_PATH = PROJECT_ROOT / "docs" / "openapi.json"


def _operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(method, path, op) for path, ops in document["paths"].items() for method, op in ops.items()]


def test_the_served_document_is_the_committed_one(base_url: str) -> None:
    served = httpx.get(f"{base_url}/openapi.json", timeout=30).json()
    assert render(served) == DOCUMENT_PATH.read_text(encoding="utf-8"), "run `make openapi` and commit"


def test_every_operation_documents_a_success_body_and_its_errors_with_one_schema() -> None:
    document = json.loads(DOCUMENT_PATH.read_text(encoding="utf-8"))
    assert "HTTPValidationError" not in document["components"]["schemas"]
    for method, path, operation in _operations(document):
        responses = operation["responses"]
        successes = [status for status in responses if status.startswith("2")]
        assert successes, f"{method} {path}: no 2xx"
        for status in successes:
            content = responses[status]["content"]
            assert all(("schema" in body or "itemSchema" in body) for body in content.values()), (method, path)
            if "application/json" in content:
                assert content["application/json"]["schema"], f"{method} {path} {status}: empty schema"
        for status, response in responses.items():
            # Bodies of their own: PagerDuty's 400 shape, /health's degraded 503, /readyz's not-ready 503.
            own = {("/v2/enqueue", "400"), ("/health", "503"), ("/readyz", "503")}
            if status.startswith(("4", "5")) and (path, status) not in own:
                schema = response["content"]["application/json"]["schema"]
                assert "ErrorResponse" in json.dumps(schema), f"{method} {path} {status}"
        if operation.get("parameters") or operation.get("requestBody"):
            assert "422" in responses, f"{method} {path}: a parameter, and no 422"


def test_content_types_are_the_real_ones() -> None:
    document = json.loads(DOCUMENT_PATH.read_text(encoding="utf-8"))
    assert list(document["paths"]["/metrics"]["get"]["responses"]["200"]["content"]) == ["text/plain"]
    stream = document["paths"]["/api/stream/investigate"]["post"]["responses"]
    assert list(stream["200"]["content"]) == ["text/event-stream"]
    assert list(stream["422"]["content"]) == ["application/json"]


def test_metrics_answers_prometheus_text(base_url: str) -> None:
    response = httpx.get(f"{base_url}/metrics", timeout=30)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")


def test_errors_have_the_documented_body(api: httpx.Client) -> None:
    for response in (
        api.get("/incidents", params={"limit": 0}),  # 422 from request validation
        api.get("/incidents/inc-000000000000"),  # 404 from the service
        api.post(
            "/incidents/inc-000000000000/acknowledge", content=b"\xff\xfe", headers={"content-type": "application/json"}
        ),
    ):
        assert response.status_code in {400, 404, 422}, response.text
        ErrorResponse.model_validate(response.json())
    unreadable = api.post("/api/chat", content=b"\xff{", headers={"content-type": "application/json"})
    assert unreadable.status_code == 400
    assert unreadable.json()["error"] == {
        "type": "PayloadError",
        "message": "the request body cannot be read: it is not UTF-8 JSON",
        "field": "body",
    }


def test_docs_load_only_the_platforms_own_files(base_url: str) -> None:
    page = httpx.get(f"{base_url}/docs", timeout=30)
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert not re.search(r"https?://", page.text), "the page names a remote URL"
    urls = re.findall(r"""(?:href|src)="([^"]+)"|url: '([^']+)'""", page.text)
    wanted = {first or second for first, second in urls}
    assert {"/openapi.json", "/docs/assets/swagger-ui-bundle.js", "/docs/assets/swagger-ui.css"} <= wanted
    for url in wanted:
        assert url.startswith("/"), url
        assert httpx.get(f"{base_url}{url}", timeout=30).status_code == 200, url
    assert '"validatorUrl": null' in page.text  # Swagger UI's badge would otherwise be fetched from swagger.io


def test_the_bundled_swagger_ui_renders_openapi_3_1() -> None:
    from swagger_ui_bundle import swagger_ui_path

    document = json.loads(DOCUMENT_PATH.read_text(encoding="utf-8"))
    assert document["openapi"].startswith("3.1")
    # Swagger UI 4 (the swagger-ui-bundle package) answers "Unable to render this definition" for 3.1:
    # swagger-ui-bundle-v2 ships Swagger UI 5 under the same import name.
    version = swagger_ui_path.name.removeprefix("swagger-ui-")
    assert int(version.split(".")[0]) >= 5, f"Swagger UI {version} cannot render OpenAPI 3.1"
