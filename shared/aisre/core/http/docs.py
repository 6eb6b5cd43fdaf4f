"""/docs: Swagger UI served by the platform itself (the swagger-ui-bundle package's files), no CDN, so the API
document can be read on a laptop or in a VPC with no way out."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from starlette.staticfiles import StaticFiles

DOCS_PATH = "/docs"
ASSETS_PATH = "/docs/assets"
# Swagger UI's own defaults would fetch a validity badge from swagger.io: off, the page loads nothing remote.
SWAGGER_UI_PARAMETERS = {"validatorUrl": None, "deepLinking": True, "defaultModelsExpandDepth": 0}


def install_docs(app: FastAPI) -> bool:
    """Serve /docs and its assets; False (no /docs) where the bundle is not installed, e.g. a slim Lambda layer."""
    try:
        from swagger_ui_bundle import swagger_ui_path
    except ImportError:
        return False
    app.mount(ASSETS_PATH, StaticFiles(directory=str(swagger_ui_path)), name="swagger-ui-assets")

    async def swagger_ui(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "").rstrip("/")  # an API Gateway stage, say
        return get_swagger_ui_html(
            openapi_url=f"{root}{app.openapi_url}",
            title=f"{app.title} API",
            swagger_js_url=f"{root}{ASSETS_PATH}/swagger-ui-bundle.js",
            swagger_css_url=f"{root}{ASSETS_PATH}/swagger-ui.css",
            swagger_favicon_url=f"{root}{ASSETS_PATH}/favicon-32x32.png",
            swagger_ui_parameters=SWAGGER_UI_PARAMETERS,
        )

    app.add_api_route(DOCS_PATH, swagger_ui, methods=["GET"], include_in_schema=False)
    return True
