"""Provider normalizers: each turns one tool's documented webhook payload into Alerts.

Every provider module exposes `normalize(payload) -> list[Alert]`, raising PayloadError when the
payload fits no shape that provider sends. They are lenient: unknown fields are ignored and
optional fields may be missing.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module
from typing import Any

from aisre.core.errors import UnknownSourceError
from aisre.incidents.model.alert import Alert

Normalizer = Callable[[Any], list[Alert]]

# source name (X-Source header, /webhook/{source}) -> module in this package
_MODULES: dict[str, str] = {
    "webhook": "generic",
    "alertmanager": "alertmanager",
    "prometheus": "alertmanager",
    "pagerduty": "pagerduty",
    "pagerduty_events": "pagerduty_events",
    "opsgenie": "opsgenie",
    "datadog": "datadog",
    "grafana": "grafana",
    "newrelic": "newrelic",
    "cloudwatch": "cloudwatch",
}

SOURCES: tuple[str, ...] = tuple(sorted(_MODULES))


def get_normalizer(source: str) -> Normalizer:
    """The normalize function registered under `source` (case-insensitive)."""
    module_name = _MODULES.get(source.strip().lower())
    if module_name is None:
        known = ", ".join(name for name in SOURCES if name != "pagerduty_events")
        raise UnknownSourceError(f"unknown alert source '{source}'; known sources: {known}", field="source")
    module = import_module(f"{__name__}.{module_name}")
    normalizer: Normalizer = module.normalize
    return normalizer


def normalize(source: str, payload: Any) -> list[Alert]:
    """The alerts in `payload` read as `source` sends them."""
    return get_normalizer(source)(payload)
