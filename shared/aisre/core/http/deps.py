"""Request dependencies: the request's scope and the parts routes take from it (`provide`), the authenticated
caller, and the workspace a request may touch.

They are `async def` on purpose: none does I/O per request, and FastAPI runs a plain `def` dependency in
its thread pool, a thread hand-off per dependency per request.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Depends, Query, Request

from aisre.core.auth import DEV_CALLER, Caller, check_workspace_id
from aisre.core.errors import AuthenticationError, NotFoundError
from aisre.core.providers import keyring
from aisre.core.scope import Provider, Scope, T, default_scope

DEFAULT_WORKSPACE = "default"


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


async def caller(request: Request, scope: Annotated[Scope, Depends(current_scope)]) -> Caller:
    """The caller behind X-API-Key or ?api_key=; every workspace in dev mode (no keys configured)."""
    keys = scope.get(keyring)
    if keys.dev_mode:
        return DEV_CALLER
    presented = request.headers.get("x-api-key") or request.query_params.get("api_key")
    if not presented:
        raise AuthenticationError("API key required: send X-API-Key or ?api_key=", field="X-API-Key")
    found = keys.authenticate(presented)
    if found is None:
        raise AuthenticationError("invalid API key", field="X-API-Key")
    return found


async def write_workspace(request: Request, who: Annotated[Caller, Depends(caller)]) -> str:
    """Where a write lands: a scoped key's own workspace, else X-Workspace-Id, else `default`.

    A scoped key naming another workspace gets 404, as if that workspace did not exist.
    """
    requested = request.headers.get("x-workspace-id")
    if requested is not None:
        check_workspace_id(requested, "X-Workspace-Id")
    if who.workspace_id is not None:
        if requested is not None and requested != who.workspace_id:
            raise NotFoundError(f"workspace {requested} not found", field="X-Workspace-Id")
        return who.workspace_id
    return requested or DEFAULT_WORKSPACE


async def read_workspace(
    request: Request,
    who: Annotated[Caller, Depends(caller)],
    workspace_id: Annotated[str | None, Query(description="Only this workspace")] = None,
) -> str | None:
    """Which workspace a read may see: a scoped key's own; otherwise the one asked for, or all (None)."""
    requested = workspace_id or request.headers.get("x-workspace-id")
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
