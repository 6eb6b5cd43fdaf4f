"""The routing table: which of a workspace's channels an event goes to. Its rules in order, as an Alertmanager
route's children: the first that matches wins, `continue: true` goes on to the next; the routes file's rules come
after the workspace's. When none matches, the default channel types of the event's severity (the service's
overrides first) pick every enabled channel of those types; "log" is logged only (no channel)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any

from aisre.notifications.errors import RoutingRuleError
from aisre.notifications.model.channels import Channel, ChannelType
from aisre.notifications.model.events import SEVERITIES, NotificationEvent

LOG_ONLY = "log"
# What a severity's default list may name: a channel type, or "log".
ROUTE_TARGETS: tuple[str, ...] = (*(kind.value for kind in ChannelType), LOG_ONLY)
# What the platform can send to (seed 001 `registered_adapters`): the channel types and the outgoing webhooks.
REGISTERED_ADAPTERS: tuple[str, ...] = tuple(sorted((*(kind.value for kind in ChannelType), "webhook")))
# A matcher value written `~regex` is a regular expression the whole value must match (Alertmanager's `=~`, which
# is anchored too); any other value matches exactly. A literal value that starts with `~` is written `~\~...`.
REGEX_PREFIX = "~"
MAX_PATTERN_LENGTH = 256
MAX_LABEL_MATCHERS = 20
MAX_RULE_CHANNELS = 20
MAX_NAME_LENGTH = 100


@dataclass(frozen=True)
class RuleMatch:
    """What a rule matches. Every part given must match; an empty part matches everything."""

    severity: tuple[str, ...] = ()  # any of these
    service: str | None = None  # the event's service, exactly or `~regex`; an event without one never matches
    labels: Mapping[str, str] = field(default_factory=dict)  # each label present and matching

    def matches(self, event: NotificationEvent) -> bool:
        if self.severity and event.severity.lower() not in self.severity:
            return False
        if self.service is not None and not _value_matches(self.service, event.service):
            return False
        return all(_value_matches(wanted, event.labels.get(name)) for name, wanted in self.labels.items())

    def to_dict(self) -> dict[str, Any]:
        return {"severity": list(self.severity), "service": self.service, "labels": dict(self.labels)}


@dataclass(frozen=True)
class RoutingRule:
    """A rule of a workspace (its channels are channel ids) or of the routes file (channel names)."""

    id: str
    name: str
    match: RuleMatch
    channels: tuple[str, ...]
    continue_matching: bool = False
    enabled: bool = True
    created_at: datetime | None = None
    updated_at: datetime | None = None
    created_by: str | None = None


@dataclass(frozen=True)
class DefaultRoutes:
    """What applies when no rule matches, and the routes file's rules (channels named by name)."""

    default_rules: Mapping[str, tuple[str, ...]]
    service_overrides: Mapping[str, Mapping[str, tuple[str, ...]]] = field(default_factory=dict)
    rules: tuple[RoutingRule, ...] = ()

    def types_for(self, severity: str, service: str | None) -> tuple[str, ...]:
        """The channel types (and "log") of a severity: the service's override of it, else the default."""
        wanted = severity.lower()
        override = self.service_overrides.get(service) if service else None
        if override is not None and wanted in override:
            return override[wanted]
        return self.default_rules.get(wanted, ())


@dataclass(frozen=True)
class Route:
    """Where an event goes: the channels (enabled ones, each once, in rule order), the rules that matched (ids; the
    file's as `file:<name>`), or the default types applied when none did. No channel: logged only."""

    channels: tuple[Channel, ...]
    matched_rules: tuple[str, ...] = ()
    default_types: tuple[str, ...] = ()

    @property
    def by_default(self) -> bool:
        return not self.matched_rules


def route_event(
    event: NotificationEvent, rules: Iterable[RoutingRule], channels: Iterable[Channel], defaults: DefaultRoutes
) -> Route:
    """The workspace's `rules` (in position order) then the file's, first match wins unless it says `continue`; a
    matched rule's disabled or deleted channels are skipped (the match still decides: the event is not re-routed
    by default). No rule matched: every enabled channel whose type the severity's default list names."""
    enabled = sorted((channel for channel in channels if channel.enabled), key=lambda c: (c.name.casefold(), c.id))
    by_id = {channel.id: channel for channel in enabled}
    by_name = {channel.name.casefold(): channel for channel in enabled}
    candidates = [(rule, rule.id, False) for rule in rules]
    candidates += [(rule, f"file:{rule.name}", True) for rule in defaults.rules]
    chosen: dict[str, Channel] = {}
    matched: list[str] = []
    for rule, label, by_names in candidates:
        if not rule.enabled or not rule.match.matches(event):
            continue
        matched.append(label)
        for ref in rule.channels:
            channel = by_name.get(ref.casefold()) if by_names else by_id.get(ref)
            if channel is not None:
                chosen.setdefault(channel.id, channel)
        if not rule.continue_matching:
            break
    if matched:
        return Route(tuple(chosen.values()), tuple(matched))
    types = defaults.types_for(event.severity, event.service)
    picked = tuple(channel for kind in types for channel in enabled if channel.type.value == kind)
    return Route(picked, (), types)


# -- checking a rule's parts (the API's and the routes file's), each error naming its field ---------------------


def check_name(value: Any, where: str = "name") -> str:
    if not isinstance(value, str) or not value.strip():
        raise RoutingRuleError(f"{where} must be a non-empty string", field=where)
    text = value.strip()
    if len(text) > MAX_NAME_LENGTH or any(ord(ch) < 32 for ch in text) or not _encodable(text):
        raise RoutingRuleError(f"{where} must be at most {MAX_NAME_LENGTH} printable characters", field=where)
    return text


def parse_match(raw: Any, where: str = "match") -> RuleMatch:
    """A rule's `match` object: `severity` (a list of the four severities), `service`, `labels` (name -> value)."""
    if raw is None:
        return RuleMatch()
    if not isinstance(raw, Mapping):
        raise RoutingRuleError(f"{where} must be an object", field=where)
    unknown = sorted(set(raw) - {"severity", "service", "labels"})
    if unknown:
        raise RoutingRuleError(f"{where} takes severity, service and labels, not {unknown[0]!r}", field=where)
    return RuleMatch(
        severity=_severities(raw.get("severity"), f"{where}.severity"),
        service=_service(raw.get("service"), f"{where}.service"),
        labels=_labels(raw.get("labels"), f"{where}.labels"),
    )


def check_channel_refs(raw: Any, where: str = "channels") -> tuple[str, ...]:
    """A rule's channels: a list of distinct non-empty strings (ids, or the routes file's names). Empty is allowed:
    a rule that matches and names no channel keeps those events to the log (a mute)."""
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise RoutingRuleError(f"{where} must be a list", field=where)
    if len(raw) > MAX_RULE_CHANNELS:
        raise RoutingRuleError(f"a rule names at most {MAX_RULE_CHANNELS} channels", field=where)
    seen: list[str] = []
    for index, ref in enumerate(raw):
        spot = f"{where}[{index}]"
        if not isinstance(ref, str) or not ref.strip() or len(ref) > 128 or not _encodable(ref):
            raise RoutingRuleError(f"{spot} must be a channel's id (a non-empty string)", field=spot)
        if ref.strip() in seen:
            raise RoutingRuleError(f"{spot} names {ref!r} twice", field=spot)
        seen.append(ref.strip())
    return tuple(seen)


def _severities(raw: Any, where: str) -> tuple[str, ...]:
    if raw is None:
        return ()
    items = [raw] if isinstance(raw, str) else raw
    if not isinstance(items, list):
        raise RoutingRuleError(f"{where} must be a list of severities", field=where)
    found: list[str] = []
    for index, value in enumerate(items):
        spot = f"{where}[{index}]"
        if not isinstance(value, str) or value.lower() not in SEVERITIES:
            raise RoutingRuleError(f"{spot} must be one of {', '.join(SEVERITIES)}", field=spot)
        if value.lower() not in found:
            found.append(value.lower())
    return tuple(found)


def _service(raw: Any, where: str) -> str | None:
    if raw is None or raw == "":
        return None
    if not isinstance(raw, str):
        raise RoutingRuleError(f"{where} must be a string", field=where)
    return _checked_value(raw, where)


def _labels(raw: Any, where: str) -> dict[str, str]:
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        raise RoutingRuleError(f"{where} must be an object of label names to values", field=where)
    if len(raw) > MAX_LABEL_MATCHERS:
        raise RoutingRuleError(f"{where} holds at most {MAX_LABEL_MATCHERS} matchers", field=where)
    checked: dict[str, str] = {}
    for name, value in raw.items():
        spot = f"{where}.{name}"
        if not isinstance(name, str) or not name or len(name) > 128 or not _encodable(name):
            raise RoutingRuleError(f"{where}: a label name must be a non-empty string", field=where)
        if not isinstance(value, str | int | float) or isinstance(value, bool):
            raise RoutingRuleError(f"{spot} must be a string", field=spot)
        checked[name] = _checked_value(str(value), spot)
    return checked


def _checked_value(value: str, where: str) -> str:
    if len(value) > MAX_PATTERN_LENGTH:
        raise RoutingRuleError(f"{where} is longer than {MAX_PATTERN_LENGTH} characters", field=where)
    if not _encodable(value):
        raise RoutingRuleError(f"{where} holds text no store can keep (a lone surrogate)", field=where)
    if value.startswith(REGEX_PREFIX):
        try:
            _pattern(value[len(REGEX_PREFIX) :])
        except re.error as error:
            raise RoutingRuleError(f"{where}: not a regular expression ({error})", field=where) from None
    return value


def _value_matches(wanted: str, actual: str | None) -> bool:
    if actual is None:
        return False
    if wanted.startswith(REGEX_PREFIX):
        return _pattern(wanted[len(REGEX_PREFIX) :]).fullmatch(actual) is not None
    return wanted == actual


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


@lru_cache(maxsize=1024)
def _pattern(source: str) -> re.Pattern[str]:
    # Compiled once per process: the same rules run for every event.
    return re.compile(source)
