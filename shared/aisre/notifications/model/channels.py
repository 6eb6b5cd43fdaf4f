"""Channels: where notifications go (Slack, Teams, email, PagerDuty, Opsgenie, Telegram), their config checked
field by field, and which of its values are secrets (kept in the secrets store, masked in every answer)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit

from aisre.notifications.errors import ChannelConfigError


class ChannelType(StrEnum):
    SLACK = "slack"
    TEAMS = "teams"
    EMAIL = "email"
    PAGERDUTY = "pagerduty"
    OPSGENIE = "opsgenie"
    TELEGRAM = "telegram"


@dataclass(frozen=True)
class ConfigField:
    name: str
    required: bool = False
    secret: bool = False
    url: bool = False  # an https URL (http only to an address the outbound settings allow)
    kind: type = str


# Each type's config keys (issue #13, "Shapes to keep"). A key not listed is refused, so a typo is a 422, not a
# channel that silently never sends.
CONFIG_FIELDS: dict[ChannelType, tuple[ConfigField, ...]] = {
    ChannelType.SLACK: (
        ConfigField("webhook_url", secret=True, url=True),
        ConfigField("bot_token", secret=True),
        ConfigField("channel"),
        ConfigField("api_url", url=True),  # chat.postMessage's base; Slack's own by default (tests: a receiver)
    ),
    ChannelType.TEAMS: (ConfigField("webhook_url", required=True, secret=True, url=True),),
    ChannelType.EMAIL: (ConfigField("to", required=True, kind=list),),
    ChannelType.PAGERDUTY: (
        ConfigField("routing_key", required=True, secret=True),
        ConfigField("events_url", url=True),
    ),
    ChannelType.OPSGENIE: (
        ConfigField("api_key", required=True, secret=True),
        ConfigField("api_url", url=True),
    ),
    ChannelType.TELEGRAM: (
        ConfigField("bot_token", required=True, secret=True),
        ConfigField("chat_id", required=True),
        ConfigField("api_url", url=True),
    ),
}

MASK = "********"


@dataclass(frozen=True)
class Channel:
    """A workspace's channel. `config` holds every value, secrets included, only inside the service and the
    senders; the store keeps the secrets in the secrets store and answers carry `masked_config`."""

    id: str
    workspace_id: str
    name: str
    type: ChannelType
    config: Mapping[str, Any]
    enabled: bool = True
    created_at: datetime | None = None
    updated_at: datetime | None = None
    created_by: str | None = None
    version: int = 1
    labels: Mapping[str, str] = field(default_factory=dict)

    def masked_config(self) -> dict[str, Any]:
        return mask_config(self.type, self.config)

    def with_config(self, config: Mapping[str, Any]) -> Channel:
        return replace(self, config=dict(config))


def channel_type(value: Any) -> ChannelType:
    try:
        return ChannelType(value)
    except ValueError:
        allowed = ", ".join(t.value for t in ChannelType)
        raise ChannelConfigError(f"unknown channel type {value!r}: one of {allowed}", field="type") from None


def secret_keys(kind: ChannelType) -> frozenset[str]:
    return frozenset(spec.name for spec in CONFIG_FIELDS[kind] if spec.secret)


def mask_config(kind: ChannelType, config: Mapping[str, Any]) -> dict[str, Any]:
    """The config with every secret value replaced by MASK (a URL keeps its scheme and host: which Slack or
    Teams it goes to is useful to read; the path is the secret)."""
    secrets = secret_keys(kind)
    masked: dict[str, Any] = {}
    for key, value in config.items():
        if key not in secrets or value in (None, ""):
            masked[key] = value
        elif isinstance(value, str) and value.startswith(("http://", "https://")):
            parts = urlsplit(value)
            masked[key] = f"{parts.scheme}://{parts.hostname}/{MASK}"
        else:
            masked[key] = MASK
    return masked


def validate_config(kind: ChannelType, config: Any, *, allow_http: bool = False) -> dict[str, Any]:
    """The config as stored: known keys only, required ones present, URLs https (http only with `allow_http`,
    the private-networks setting). ChannelConfigError names the field (`config.<key>`)."""
    if not isinstance(config, Mapping):
        raise ChannelConfigError("config must be an object", field="config")
    specs = {spec.name: spec for spec in CONFIG_FIELDS[kind]}
    unknown = sorted(set(config) - set(specs))
    if unknown:
        raise ChannelConfigError(
            f"{kind.value} channels take no config key {unknown[0]!r} (known: {', '.join(specs)})",
            field=f"config.{unknown[0]}",
        )
    checked: dict[str, Any] = {}
    for name, spec in specs.items():
        value = config.get(name)
        if value in (None, "", []):
            if spec.required:
                raise ChannelConfigError(f"{kind.value} channels need config.{name}", field=f"config.{name}")
            continue
        checked[name] = _checked_value(spec, value, allow_http=allow_http)
    if kind is ChannelType.SLACK:
        if "webhook_url" not in checked and "bot_token" not in checked:
            raise ChannelConfigError("slack channels need config.webhook_url, or bot_token and channel", field="config")
        if "bot_token" in checked and "channel" not in checked:
            raise ChannelConfigError("a slack bot_token needs config.channel", field="config.channel")
    return checked


def merge_config(kind: ChannelType, current: Mapping[str, Any], update: Mapping[str, Any]) -> dict[str, Any]:
    """An update's config over the stored one: a secret sent back masked (as a read showed it) keeps its value."""
    secrets = secret_keys(kind)
    merged = dict(update)
    for key in secrets:
        value = update.get(key)
        if isinstance(value, str) and MASK in value and key in current:
            merged[key] = current[key]
    return merged


def _checked_value(spec: ConfigField, value: Any, *, allow_http: bool) -> Any:
    where = f"config.{spec.name}"
    if spec.kind is list:
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, list) or not items or not all(isinstance(item, str) and item for item in items):
            raise ChannelConfigError(f"{where} must be a list of addresses", field=where)
        for item in items:
            if "@" not in item or len(item) > 254 or any(ch.isspace() for ch in item):
                raise ChannelConfigError(f"{where}: {item!r} is not an email address", field=where)
        return list(items)
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise ChannelConfigError(f"{where} must be a string", field=where)
    text = str(value)
    if len(text) > 2048:
        raise ChannelConfigError(f"{where} is longer than 2048 characters", field=where)
    if spec.url:
        check_url(text, where, allow_http=allow_http)
    return text


def check_url(url: str, where: str, *, allow_http: bool = False) -> None:
    """ChannelConfigError unless `url` is an absolute https URL with a host (http too when `allow_http`)."""
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        raise ChannelConfigError(f"{where} is not a URL", field=where) from None
    schemes = ("https", "http") if allow_http else ("https",)
    if parts.scheme not in schemes or not host:
        need = "an http(s)" if allow_http else "an https"
        raise ChannelConfigError(f"{where} must be {need} URL", field=where)
