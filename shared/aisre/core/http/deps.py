"""Request dependencies: the request's scope and the parts routes take from it (`provide`), the authenticated
caller, and the workspace a request may touch.

They are `async def` on purpose: none does I/O per request, and FastAPI runs a plain `def` dependency in
its thread pool, a thread hand-off per dependency per request.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Depends, Header, Query, Security
from fastapi.security import APIKeyHeader, APIKeyQuery

from aisre.core.auth import DEV_CALLER, WORKSPACE_ID, Caller, check_workspace_id
from aisre.core.errors import AuthenticationError, NotFoundError
from aisre.core.providers import keyring
from aisre.core.scope import Provider, Scope, T, default_scope

DEFAULT_WORKSPACE = "default"

# Declared so that the API document names both ways of sending a key; checked below, not by FastAPI
# (auto_error=False), so that dev mode needs none and a missing key gets the platform's 401 body.
_KEY_HEADER = APIKeyHeader(name="X-API-Key", auto_error=False, description="An API key (AI_SRE_API_KEYS)")
_KEY_QUERY = APIKeyQuery(name="api_key", auto_error=False, description="The same key, for clients without headers")
_WORKSPACE_DOC = {"pattern": WORKSPACE_ID.pattern}


async def current_scope() -> Scope:
    """The request's scope. Async on purpose: FastAPI runs a plain `def` dependency in its thread pool."""
    return default_scope()


_dependencies: dict[Callable[..., Any], Any] = {}


def provide(provider: Provider[T]) -> Any:
    """`Annotated[Part, provide(part_provider)]`: the FastAPI dependency that hands a route one part."""
    if provider not in _dependencies:

        async def dependency(scope: Annotated[Scope, Depends(current_scope)]) -> Any:
            return scope.get(provider)

        dependency.__name__ = f"provide_{getattr(provider, '__name__', 'part')}"
        _dependencies[provider] = Depends(dependency)
    return _dependencies[provider]


async def caller(
    scope: Annotated[Scope, Depends(current_scope)],
    header_key: Annotated[str | None, Security(_KEY_HEADER)],
    query_key: Annotated[str | None, Security(_KEY_QUERY)],
) -> Caller:
    """The caller behind X-API-Key or ?api_key=; every workspace in dev mode (no keys configured)."""
    keys = scope.get(keyring)
    if keys.dev_mode:
        return DEV_CALLER
    presented = header_key or query_key
    if not presented:
        raise AuthenticationError("API key required: send X-API-Key or ?api_key=", field="X-API-Key")
    found = keys.authenticate(presented)
    if found is None:
        raise AuthenticationError("invalid API key", field="X-API-Key")
    return found


_WorkspaceHeader = Annotated[
    str | None,
    Header(
        alias="X-Workspace-Id",
        description="The workspace to write to or read from; a scoped key's own when omitted",
        json_schema_extra=_WORKSPACE_DOC,
    ),
]


async def write_workspace(who: Annotated[Caller, Depends(caller)], x_workspace_id: _WorkspaceHeader = None) -> str:
    """Where a write lands: a scoped key's own workspace, else X-Workspace-Id, else `default`.

    A scoped key naming another workspace gets 404, as if that workspace did not exist.
    """
    requested = x_workspace_id
    if requested is not None:
        check_workspace_id(requested, "X-Workspace-Id")
    if who.workspace_id is not None:
        if requested is not None and requested != who.workspace_id:
            raise NotFoundError(f"workspace {requested} not found", field="X-Workspace-Id")
        return who.workspace_id
    return requested or DEFAULT_WORKSPACE


async def read_workspace(
    who: Annotated[Caller, Depends(caller)],
    workspace_id: Annotated[
        str | None, Query(description="Only this workspace", json_schema_extra=_WORKSPACE_DOC)
    ] = None,
    x_workspace_id: _WorkspaceHeader = None,
) -> str | None:
    """Which workspace a read may see: a scoped key's own; otherwise the one asked for, or all (None)."""
    requested = workspace_id or x_workspace_id
    if requested is not None:
        check_workspace_id(requested, "workspace_id")
    if who.workspace_id is not None:
        if requested is not None and requested != who.workspace_id:
            raise NotFoundError(f"workspace {requested} not found", field="workspace_id")
        return who.workspace_id
    return requested


CallerDep = Annotated[Caller, Depends(caller)]
WriteWorkspace = Annotated[str, Depends(write_workspace)]
ReadWorkspace = Annotated[str | None, Depends(read_workspace)]
