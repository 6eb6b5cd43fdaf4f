"""create_app(groups): the FastAPI app of the named endpoint groups; a Lambda builds its own group's,
the local server every group's, so a request runs the same code in both."""

from __future__ import annotations

from collections.abc import Sequence
from importlib import import_module

from fastapi import FastAPI

from aisre import __version__
from aisre.core.http.docs import install_docs
from aisre.core.http.errors import install_error_handlers
from aisre.core.http.middleware import BodySizeLimit, RequestMetrics, RequestObserver
from aisre.core.http.openapi import install_openapi
from aisre.core.settings import get_settings

# group -> router modules. Imported only when a group is asked for, so each Lambda loads its own.
# Order matters: fixed paths (/webhook/deploy, /webhook/dead-letter) before /webhook/{source}.
GROUPS: dict[str, tuple[str, ...]] = {
    # The raw payloads route sits under /incidents but is the alerts' (template.yaml routes it to webhooks).
    "webhooks": (
        "aisre.incidents.api.deploys",
        "aisre.alerts.api.dead_letters",
        "aisre.alerts.api.webhooks",
        "aisre.alerts.api.raw_payloads",
    ),
    "incidents": ("aisre.incidents.api.incidents",),
    "investigations": ("aisre.investigations.api.investigations",),
    "holmes": ("aisre.investigations.api.holmes",),
    # The only group that writes to a cluster: its Lambda has its own role and Kubernetes identity.
    # Runbooks too: a run's write steps are actions, and the approvals it waits on are decided here.
    "actions": ("aisre.remediation.api.actions", "aisre.remediation.api.approvals", "aisre.remediation.api.runbooks"),
    # Autonomy acts through the action service: served by the actions function, beside the group above. So does the
    # bot (POST /bot/interact), which applies the actions it proposes when asked.
    "autonomy": ("aisre.autonomy.api.autonomy", "aisre.autonomy.api.bot"),
    # Workflows (seed 001 /workflows, seed 002 /api/v1/workflows): definitions and runs; they start executions and
    # read their history, and never touch a cluster (their steps run in the actions and workflow-steps functions).
    "workflows": ("aisre.workflows.api.workflows", "aisre.workflows.api.definitions"),
    # Notifications (issue #13): deliveries, channels, routing, the in-app inbox, on-call, outgoing webhooks, triggers.
    # The deliveries', channels' and rules' routers before the inbox's, whose /{id} routes would otherwise take
    # /api/v1/notifications/channels/... for a notification's id.
    "notifications": (
        "aisre.notifications.api.deliveries",
        "aisre.notifications.api.routing",
        "aisre.notifications.api.channels",
        "aisre.notifications.api.rules",
        "aisre.notifications.api.inbox",
        "aisre.notifications.api.webhooks",
        "aisre.notifications.api.triggers",
        "aisre.notifications.api.oncall",
    ),
    # Slack's buttons (Acknowledge, Approve as the clicking person): served by the actions function, since approving
    # carries an action out on a cluster, which only that function may do.
    "slack": ("aisre.notifications.api.slack",),
    # Insights (issue #14): seed 001's /adapters, /platform/overview, /metrics/export and seed 002's analytics;
    # read-only over the other capabilities' services, served by the incidents function.
    "insights": ("aisre.insights.api.platform", "aisre.insights.api.analytics"),
    # The operator console (issue #14): static files and its start-up config, no data; served by a function of its
    # own (template.yaml ConsoleFunction), which needs no table.
    "console": ("aisre.console.api.console",),
    "system": ("aisre.core.http.system",),
    # The demo (issue #14): POST /demo/seed tells a story through the others' services, served by the incidents
    # function (its role may queue and start the investigations the story's incidents ask for).
    "demo": ("aisre.demo.api.seed",),
}
ALL_GROUPS: tuple[str, ...] = tuple(GROUPS)


def create_app(groups: Sequence[str], request_observers: Sequence[RequestObserver] = ()) -> FastAPI:
    unknown = set(groups) - set(GROUPS)
    if unknown:
        raise ValueError(f"unknown endpoint groups: {sorted(unknown)}")
    app = FastAPI(
        title="aisre",
        version=__version__,
        description="AI SRE platform: alerts in, deduplicated and correlated incidents out.",
        docs_url=None,  # install_docs serves Swagger UI from the platform's own files, not a CDN
        redoc_url=None,
    )
    for group in groups:
        for module_name in GROUPS[group]:
            app.include_router(import_module(module_name).router)
    install_openapi(app)
    install_docs(app)
    install_error_handlers(app)
    app.add_middleware(BodySizeLimit, max_bytes=get_settings().max_body_bytes)
    # Outermost, so that a request refused for its size is timed and observed too.
    app.add_middleware(RequestMetrics, observers=request_observers)
    return app
