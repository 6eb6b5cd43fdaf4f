"""Shared fixtures: the embedded local stack (moto, provisioned from template.yaml), served apps, workspaces."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, settings

PROJECT_ROOT = Path(__file__).resolve().parent.parent

# Hypothesis's timing checks measure wall time, which on a loaded 2-core CI machine says more about the
# machine than the test (a policy strategy once took 2.3 s for one example there). The examples and
# their number are unchanged.
settings.register_profile("aisre", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("aisre")


@pytest.fixture(scope="session")
def local_stack() -> Iterator[object]:
    """One emulator for the session, started here: no test skips for want of it."""
    from aisre.core.scope import reset_scope
    from aisre.local.stack import LocalStack

    # Investigations start on demand in tests (tests/integration/test_investigations.py turns the automatic
    # start on where it is under test), so other tests' timelines hold only what they caused.
    stack = LocalStack(PROJECT_ROOT, parameters={"AutoInvestigate": "false"})
    stack.start()
    reset_scope()
    try:
        yield stack
    finally:
        stack.stop()
        reset_scope()


@pytest.fixture(scope="session")
def base_url(local_stack: object) -> Iterator[str]:
    """The whole API (every group, as `aisre serve` runs it) over real HTTP, dev mode (no API keys)."""
    from aisre.local.server import create_local_app
    from tests.support.servers import serve_app

    with serve_app(create_local_app()) as url:
        yield url


@pytest.fixture
def workspace() -> str:
    """A fresh workspace per test: tests share the table, never each other's data."""
    return f"ws-{uuid.uuid4().hex[:12]}"


@pytest.fixture
def api(base_url: str, workspace: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=base_url, headers={"X-Workspace-Id": workspace}, timeout=30) as http:
        yield http


@pytest.fixture(scope="session")
def serve_with_settings(local_stack: object):  # type: ignore[no-untyped-def]
    """Serve the whole API with some settings changed (API keys, webhook secrets) over real HTTP; `parts` stands
    parts in (provider -> part, as `Scope.put`): a broken tool runner, a stand-in model."""
    from contextlib import contextmanager

    from aisre.core.http.deps import current_scope
    from aisre.core.scope import Scope
    from aisre.core.settings import get_settings
    from aisre.local.server import create_local_app
    from aisre.subscriptions import SUBSCRIPTIONS
    from tests.support.servers import serve_app

    @contextmanager
    def serve(parts: dict[Any, Any] | None = None, **changes: object) -> Iterator[str]:
        scope = Scope(get_settings().model_copy(update=changes), SUBSCRIPTIONS)
        for provider, part in (parts or {}).items():
            scope.put(provider, part)
        app = create_local_app()
        app.dependency_overrides[current_scope] = lambda: scope
        with serve_app(app) as url:
            yield url

    return serve


# -- an OpenAI-compatible model, scripted per test (tests/support/scripted_openai.py) ---------------------------


@pytest.fixture(scope="module")
def scripted():  # type: ignore[no-untyped-def]
    """(the scripted server, its URL): a test sets its replies with `server.reset(Reply(...), ...)`."""
    from tests.support.scripted_openai import ScriptedOpenAI
    from tests.support.servers import serve_app

    server = ScriptedOpenAI()
    with serve_app(server.app()) as url:
        yield server, url


@pytest.fixture(scope="module")
def model_url(serve_with_settings, scripted) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """The whole API with the scripted model configured (AISRE_MODEL=test-model)."""
    from tests.support.scripted_openai import MODEL_NAME

    with serve_with_settings(
        aisre_model=MODEL_NAME, openai_base_url=f"{scripted[1]}/v1", openai_api_key="sk-test"
    ) as url:
        yield url


@pytest.fixture
def model_api(model_url: str, workspace: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=model_url, headers={"X-Workspace-Id": workspace}, timeout=30) as http:
        yield http
