"""Logger, tracer and metrics, created once: Powertools in Lambda, Prometheus text at /metrics everywhere."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any, TypeVar, cast

from aws_lambda_powertools import Logger, Tracer
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    disable_created_metrics,
    generate_latest,
)

logger = Logger(service="aisre")


_Handler = TypeVar("_Handler", bound=Callable[..., Any])


@lru_cache(maxsize=1)
def get_tracer() -> Tracer:
    """The X-Ray tracer: creating it imports the X-Ray SDK (~140 ms of cold start), so only a Lambda
    entry point with SDK tracing switched on builds it (see traced)."""
    return Tracer(service="aisre")


def traced(handler: _Handler) -> _Handler:
    """Wrap a Lambda handler in X-Ray SDK tracing when the settings ask for it, else leave it as is."""
    from aisre.core.settings import get_settings

    if get_settings().trace_disabled:
        return handler
    return cast(_Handler, get_tracer().capture_lambda_handler(handler))


# The *_created series double the exposition for no use here.
disable_created_metrics()
_REGISTRY = CollectorRegistry(auto_describe=True)


_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


class PlatformMetrics:
    """The platform's counters. Prometheus text from this process at /metrics; in Lambda, also EMF
    through Powertools Metrics (attached by the handler), since one container's counters are not the
    fleet's."""

    def __init__(self, registry: CollectorRegistry):
        self.alerts_received = Counter(
            "aisre_alerts_received_total", "Alerts received, by provider", ["source"], registry=registry
        )
        self.alerts_deduplicated = Counter(
            "aisre_alerts_deduplicated_total", "Alerts folded into an open incident", ["source"], registry=registry
        )
        self.incidents_created = Counter(
            "aisre_incidents_created_total", "Incidents opened, by provider", ["source"], registry=registry
        )
        self.incidents_resolved = Counter(
            "aisre_incidents_resolved_total", "Incidents resolved by an alert", ["source"], registry=registry
        )
        self.dead_lettered = Counter(
            "aisre_alerts_dead_lettered_total", "Payloads kept in the dead-letter store", ["source"], registry=registry
        )
        self.request_latency = Histogram(
            "aisre_http_request_duration_seconds",
            "HTTP request latency",
            ["method", "route", "status"],
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0),
            registry=registry,
        )
        self._emf: Any = None

    def attach_emf(self, emf_metrics: Any) -> None:
        """Also emit each count as a CloudWatch embedded metric (Lambda handlers call this)."""
        self._emf = emf_metrics

    def alert_ingested(self, source: str, action: str) -> None:
        self.alerts_received.labels(source).inc()
        self._emit("AlertsReceived")
        if action == "deduplicated":
            self.alerts_deduplicated.labels(source).inc()
            self._emit("AlertsDeduplicated")
        elif action == "created":
            self.incidents_created.labels(source).inc()
            self._emit("IncidentsCreated")
        elif action == "resolved":
            self.incidents_resolved.labels(source).inc()
            self._emit("IncidentsResolved")

    def alert_dead_lettered(self, source: str) -> None:
        self.dead_lettered.labels(source).inc()
        self._emit("AlertsDeadLettered")

    def request_observed(self, method: str, route: str, status: int, seconds: float) -> None:
        # Labels from a closed set: a client's made-up method must not grow a series of its own.
        method = method if method in _METHODS else "OTHER"
        self.request_latency.labels(method, route, str(status)).observe(seconds)

    def _emit(self, name: str) -> None:
        if self._emf is not None:
            self._emf.add_metric(name=name, unit="Count", value=1)


metrics = PlatformMetrics(_REGISTRY)


def render_prometheus() -> tuple[bytes, str]:
    return generate_latest(_REGISTRY), CONTENT_TYPE_LATEST
