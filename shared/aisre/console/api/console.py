"""GET /console (the page), /console/config.json (what the page needs to start) and /console/{path} (its
scripts, styles and vendored libraries). The files hold no data, so they need no key; every data call the page
makes carries one."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

from fastapi import Header, Path, Response
from fastapi.responses import JSONResponse, RedirectResponse
from pydantic import BaseModel, Field

from aisre import __version__
from aisre.console.model.assets import (
    accepts_gzip,
    etag_matches,
    inline_script_hashes,
    live_source,
    security_headers,
)
from aisre.console.providers import console_assets, live_events_url
from aisre.core.errors import NotFoundError
from aisre.core.http.deps import provide
from aisre.core.http.routing import ApiRouter
from aisre.core.http.schemas import error_responses
from aisre.core.providers import keyring

if TYPE_CHECKING:
    from aisre.console.adapters.package_files import PackageAssets
    from aisre.console.model.assets import Asset
    from aisre.core.auth import Keyring

AssetsDep = Annotated["PackageAssets", provide(console_assets)]
KeyringDep = Annotated["Keyring", provide(keyring)]
LiveUrlDep = Annotated[str | None, provide(live_events_url)]
IfNoneMatch = Annotated[str | None, Header(alias="If-None-Match")]
AcceptEncoding = Annotated[str | None, Header(alias="Accept-Encoding")]

INDEX = "index.html"

router = ApiRouter(tags=["console"])


class ConsoleConfig(BaseModel):
    dev_mode: bool = Field(description="No API keys configured: the console asks for none")
    live_url: str | None = Field(description="The live events WebSocket; null: this origin's /ws")
    version: str


def _headers(assets: PackageAssets, live_url: str | None) -> dict[str, str]:
    # The CSP allows the page's import map by its hash, computed from the file served, so the two never differ.
    index = assets.get(INDEX)
    hashes = inline_script_hashes(index.body.decode("utf-8")) if index else []
    return security_headers(hashes, live_source(live_url))


def _serve(
    asset: Asset | None, path: str, assets: PackageAssets, live_url: str | None, tag: str | None, encoding: str | None
) -> Response:
    if asset is None:
        raise NotFoundError(f"no console asset {path!r}", field="path")
    packed = asset.gzipped is not None and accepts_gzip(encoding)
    etag = asset.gzip_etag if packed else asset.etag
    headers = {**_headers(assets, live_url), "ETag": etag, "Vary": "Accept-Encoding"}
    if etag_matches(tag, etag):
        return Response(status_code=304, headers=headers)
    if packed:
        return Response(asset.gzipped, media_type=asset.content_type, headers={**headers, "Content-Encoding": "gzip"})
    return Response(asset.body, media_type=asset.content_type, headers=headers)


@router.get("/console", include_in_schema=False)
def get_console(
    assets: AssetsDep, live_url: LiveUrlDep, if_none_match: IfNoneMatch = None, accept_encoding: AcceptEncoding = None
) -> Response:
    """The console's page."""
    return _serve(assets.get(INDEX), INDEX, assets, live_url, if_none_match, accept_encoding)


@router.get("/console/config.json", response_model=ConsoleConfig, responses=error_responses(503))
def get_console_config(keys: KeyringDep, assets: AssetsDep, live_url: LiveUrlDep) -> Any:
    """What the console needs before it asks anything: whether it must ask for a key, where live events are."""
    body = {"dev_mode": keys.dev_mode, "live_url": live_url, "version": __version__}
    return JSONResponse(body, headers=_headers(assets, live_url))


@router.get("/console/{path:path}", include_in_schema=False)
def get_console_asset(
    assets: AssetsDep,
    live_url: LiveUrlDep,
    path: Annotated[str, Path(description="An asset of the console: pages/incidents.js, console.css, ...")],
    if_none_match: IfNoneMatch = None,
    accept_encoding: AcceptEncoding = None,
) -> Response:
    """One of the console's files. `/console/` sends the browser to `/console`, where the page's relative links
    (console/app.js, the API beside it) resolve, an API Gateway stage included."""
    if not path:
        return RedirectResponse("../console", status_code=308)
    return _serve(assets.get(path), path, assets, live_url, if_none_match, accept_encoding)
