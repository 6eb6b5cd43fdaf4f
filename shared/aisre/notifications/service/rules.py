"""Routing rules (seed 002 /api/v1/notifications/rules): a workspace's rules in order (a rule's position is its
place in the list). A rule names channels of its workspace by id; one that does not exist is a 422 naming
`channels[i]`, and nothing is stored."""

from __future__ import annotations

import json
import secrets as tokens
from collections.abc import Callable, Collection
from dataclasses import replace
from datetime import datetime
from typing import Any

from aisre.core.errors import ConflictError, NotFoundError
from aisre.notifications.errors import RoutingRuleError
from aisre.notifications.model.routing import RoutingRule, check_channel_refs, check_name, parse_match
from aisre.notifications.ports import ChannelStore, RuleStore

MAX_RULES = 100
# The rules are one item: well under DynamoDB's 400 KB whatever a hundred rules hold.
MAX_RULES_BYTES = 300_000
_ATTEMPTS = 3

# A change: the rules as read and the ids of the workspace's channels -> the rules after it, the rule changed, and
# the channels it names (checked to still exist when the change is written).
Change = Callable[[list[RoutingRule], Collection[str]], tuple[list[RoutingRule], RoutingRule, Collection[str]]]


def _no_one(workspace_id: str) -> None:
    return None


class RuleService:
    def __init__(
        self,
        rules: RuleStore,
        channels: ChannelStore,
        *,
        clock: Callable[[], datetime],
        changed: Callable[[str], None] = _no_one,
    ):
        self._rules = rules
        self._channels = channels
        self._clock = clock
        self._changed = changed

    def list(self, workspace_id: str) -> list[RoutingRule]:
        return list(self._rules.get_rules(workspace_id).rules)

    def get(self, workspace_id: str, rule_id: str) -> tuple[RoutingRule, int]:
        """The rule and its position."""
        rules = self.list(workspace_id)
        index = _index(rules, rule_id)
        return rules[index], index

    def create(
        self,
        workspace_id: str,
        principal: str,
        *,
        name: Any,
        match: Any,
        channels: Any,
        continue_matching: bool = False,
        enabled: bool = True,
        position: int | None = None,
    ) -> tuple[RoutingRule, int]:
        checked_name = check_name(name)
        checked_match = parse_match(match)
        refs = check_channel_refs(channels)

        def change(rules: list[RoutingRule], existing: Collection[str]) -> tuple[list[RoutingRule], RoutingRule, Any]:
            if len(rules) >= MAX_RULES:
                raise ConflictError(f"a workspace has at most {MAX_RULES} rules; delete one first")
            _check_name_free(rules, checked_name, None)
            _check_channels_exist(refs, existing)
            now = self._clock()
            rule = RoutingRule(
                id=f"rule-{tokens.token_hex(8)}",
                name=checked_name,
                match=checked_match,
                channels=refs,
                continue_matching=continue_matching,
                enabled=enabled,
                created_at=now,
                updated_at=now,
                created_by=principal,
            )
            rules.insert(len(rules) if position is None else min(position, len(rules)), rule)
            return rules, rule, refs

        return self._write(workspace_id, change)

    def update(
        self,
        workspace_id: str,
        rule_id: str,
        *,
        name: Any = None,
        match: Any = None,
        channels: Any = None,
        continue_matching: bool | None = None,
        enabled: bool | None = None,
        position: int | None = None,
    ) -> tuple[RoutingRule, int]:
        checked_name = check_name(name) if name is not None else None
        checked_match = parse_match(match) if match is not None else None
        refs = check_channel_refs(channels) if channels is not None else None

        def change(rules: list[RoutingRule], existing: Collection[str]) -> tuple[list[RoutingRule], RoutingRule, Any]:
            index = _index(rules, rule_id)
            current = rules.pop(index)
            if checked_name is not None:
                _check_name_free(rules, checked_name, rule_id)
            if refs is not None:
                _check_channels_exist(refs, existing)
            rule = replace(
                current,
                name=checked_name if checked_name is not None else current.name,
                match=checked_match if checked_match is not None else current.match,
                channels=refs if refs is not None else current.channels,
                continue_matching=current.continue_matching if continue_matching is None else continue_matching,
                enabled=current.enabled if enabled is None else enabled,
                updated_at=self._clock(),
            )
            rules.insert(index if position is None else min(position, len(rules)), rule)
            # Only newly named channels need to exist still: the others were checked when they were named.
            return rules, rule, [ref for ref in rule.channels if ref not in current.channels]

        return self._write(workspace_id, change)

    def delete(self, workspace_id: str, rule_id: str) -> RoutingRule:
        def change(rules: list[RoutingRule], existing: Collection[str]) -> tuple[list[RoutingRule], RoutingRule, Any]:
            return rules, rules.pop(_index(rules, rule_id)), ()

        return self._write(workspace_id, change)[0]

    def _write(self, workspace_id: str, change: Change) -> tuple[RoutingRule, int]:
        # Every change rewrites the one item under its version: a concurrent change to another rule is read again
        # and this change made over it, a few times before giving up with a 409.
        for attempt in range(_ATTEMPTS):
            read = self._rules.get_rules(workspace_id)
            existing = {stored.channel.id for stored in self._channels.list_channels(workspace_id)}
            rules, rule, named = change(list(read.rules), existing)
            _check_size(rules)
            try:
                self._rules.save_rules(workspace_id, rules, read.version, named)
            except ConflictError:
                if attempt == _ATTEMPTS - 1:
                    raise
                continue
            self._changed(workspace_id)
            return rule, next((n for n, r in enumerate(rules) if r.id == rule.id), -1)
        raise AssertionError("unreachable")


def _index(rules: list[RoutingRule], rule_id: str) -> int:
    for index, rule in enumerate(rules):
        if rule.id == rule_id:
            return index
    raise NotFoundError(f"rule {rule_id} not found", field="rule_id")


def _check_name_free(rules: list[RoutingRule], name: str, own_id: str | None) -> None:
    for rule in rules:
        if rule.id != own_id and rule.name.casefold() == name.casefold():
            raise ConflictError(f"the workspace has a rule named {name!r} already ({rule.id})", field="name")


def _check_channels_exist(refs: tuple[str, ...], existing: Collection[str]) -> None:
    for index, ref in enumerate(refs):
        if ref not in existing:
            raise RoutingRuleError(
                f"channels[{index}]: no channel {ref!r} in the workspace", field=f"channels[{index}]"
            )


def _check_size(rules: list[RoutingRule]) -> None:
    size = sum(
        len(json.dumps({"name": rule.name, "match": rule.match.to_dict(), "channels": list(rule.channels)}))
        for rule in rules
    )
    if size > MAX_RULES_BYTES:
        raise RoutingRuleError(f"the workspace's rules would exceed {MAX_RULES_BYTES} bytes", field="match")
