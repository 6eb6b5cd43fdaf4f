"""The routes file read into DefaultRoutes: `default_rules` (severity -> channel types or "log"),
`service_overrides` (service -> severity -> the same) and `rules` (as the API's, channels named by name). Every
error names the key at fault (`default_rules.critical[1]`), so a bad file is refused at start, not at the first
incident."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aisre.notifications.errors import RoutesFileError, RoutingRuleError
from aisre.notifications.model.events import SEVERITIES
from aisre.notifications.model.routing import (
    ROUTE_TARGETS,
    DefaultRoutes,
    RoutingRule,
    check_channel_refs,
    check_name,
    parse_match,
)

TOP_KEYS = ("default_rules", "service_overrides", "rules")
MAX_FILE_RULES = 100


def routes_from_document(document: Any, source: str, base: DefaultRoutes | None = None) -> DefaultRoutes:
    """The routes `document` (YAML's data) says, over `base`: each severity of its `default_rules` replaces the
    base's; its `service_overrides` and `rules`, when present, replace the base's whole."""
    if document is None:
        document = {}
    if not isinstance(document, Mapping):
        raise RoutesFileError(f"{source}: the routes file must be a mapping of {', '.join(TOP_KEYS)}", field="(root)")
    unknown = sorted(str(key) for key in set(document) - set(TOP_KEYS))
    if unknown:
        raise RoutesFileError(f"{source}: unknown key {unknown[0]!r} (known: {', '.join(TOP_KEYS)})", field=unknown[0])
    defaults = dict(base.default_rules) if base else {}
    defaults.update(_severity_map(document.get("default_rules"), "default_rules", source))
    overrides: dict[str, Mapping[str, tuple[str, ...]]] = dict(base.service_overrides) if base else {}
    if "service_overrides" in document:
        overrides = dict(_overrides(document["service_overrides"], source))
    rules = base.rules if base else ()
    if "rules" in document:
        rules = _rules(document["rules"], source)
    return DefaultRoutes(default_rules=defaults, service_overrides=overrides, rules=rules)


def _severity_map(raw: Any, where: str, source: str) -> dict[str, tuple[str, ...]]:
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        raise RoutesFileError(f"{source}: {where} must map severities to lists of channel types", field=where)
    found: dict[str, tuple[str, ...]] = {}
    for severity, targets in raw.items():
        spot = f"{where}.{severity}"
        if severity not in SEVERITIES:
            raise RoutesFileError(f"{source}: {spot}: the severities are {', '.join(SEVERITIES)}", field=spot)
        found[severity] = _targets(targets, spot, source)
    return found


def _targets(raw: Any, where: str, source: str) -> tuple[str, ...]:
    items = [raw] if isinstance(raw, str) else raw
    if not isinstance(items, list):
        raise RoutesFileError(f"{source}: {where} must be a list of channel types", field=where)
    targets: list[str] = []
    for index, target in enumerate(items):
        if target not in ROUTE_TARGETS:
            spot = f"{where}[{index}]"
            raise RoutesFileError(f"{source}: {spot}: {target!r} is not one of {', '.join(ROUTE_TARGETS)}", field=spot)
        if target not in targets:
            targets.append(target)
    return tuple(targets)


def _overrides(raw: Any, source: str) -> dict[str, dict[str, tuple[str, ...]]]:
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        raise RoutesFileError(f"{source}: service_overrides must map services to severities", field="service_overrides")
    found: dict[str, dict[str, tuple[str, ...]]] = {}
    for service, severities in raw.items():
        where = f"service_overrides.{service}"
        if not isinstance(service, str) or not service:
            raise RoutesFileError(f"{source}: a service name must be a non-empty string", field="service_overrides")
        found[service] = _severity_map(severities, where, source)
    return found


def _rules(raw: Any, source: str) -> tuple[RoutingRule, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list) or len(raw) > MAX_FILE_RULES:
        raise RoutesFileError(f"{source}: rules must be a list of at most {MAX_FILE_RULES} rules", field="rules")
    rules: list[RoutingRule] = []
    for index, entry in enumerate(raw):
        where = f"rules[{index}]"
        if not isinstance(entry, Mapping):
            raise RoutesFileError(f"{source}: {where} must be a mapping", field=where)
        unknown = sorted(str(key) for key in set(entry) - {"name", "match", "channels", "continue", "enabled"})
        if unknown:
            raise RoutesFileError(f"{source}: {where}: unknown key {unknown[0]!r}", field=f"{where}.{unknown[0]}")
        try:
            name = check_name(entry.get("name"), f"{where}.name")
            rule = RoutingRule(
                id=f"file:{name}",
                name=name,
                match=parse_match(entry.get("match"), f"{where}.match"),
                channels=check_channel_refs(entry.get("channels"), f"{where}.channels"),
                continue_matching=_flag(entry.get("continue", False), f"{where}.continue"),
                enabled=_flag(entry.get("enabled", True), f"{where}.enabled"),
            )
        except RoutingRuleError as error:
            raise RoutesFileError(f"{source}: {error.message}", field=error.field) from None
        if any(existing.name == rule.name for existing in rules):
            raise RoutesFileError(f"{source}: {where}.name: {name!r} names two rules", field=f"{where}.name")
        rules.append(rule)
    return tuple(rules)


def _flag(raw: Any, where: str) -> bool:
    if not isinstance(raw, bool):
        raise RoutingRuleError(f"{where} must be true or false", field=where)
    return raw
