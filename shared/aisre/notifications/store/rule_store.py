"""RuleStore on DynamoDB: a workspace's rules, in order, in one item of its routing partition; each change is one
transaction, conditioned on the version read and on every channel the changed rule names still existing."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from datetime import datetime
from typing import Any

from pynamodb.connection import Connection
from pynamodb.transactions import TransactWrite

from aisre.core.errors import ConflictError
from aisre.core.timestamps import utc_iso
from aisre.notifications.model.routing import RoutingRule, RuleMatch
from aisre.notifications.ports import RuleSet
from aisre.notifications.store import routing_keys as keys
from aisre.notifications.store.routing_records import ChannelRecord, RuleSetRecord
from aisre.notifications.store.transactions import commit


def rule_data(rule: RoutingRule) -> dict[str, Any]:
    return {
        "id": rule.id,
        "name": rule.name,
        "match": rule.match.to_dict(),
        "channels": list(rule.channels),
        "continue": rule.continue_matching,
        "enabled": rule.enabled,
        "created_at": utc_iso(rule.created_at) if rule.created_at else None,
        "updated_at": utc_iso(rule.updated_at) if rule.updated_at else None,
        "created_by": rule.created_by,
    }


def _moment(value: Any) -> datetime | None:
    return datetime.fromisoformat(str(value).replace("Z", "+00:00")) if value else None


def _rule(data: Mapping[str, Any]) -> RoutingRule:
    match = data.get("match") or {}
    return RoutingRule(
        id=str(data["id"]),
        name=str(data["name"]),
        match=RuleMatch(
            severity=tuple(match.get("severity") or ()),
            service=match.get("service"),
            labels=dict(match.get("labels") or {}),
        ),
        channels=tuple(data.get("channels") or ()),
        continue_matching=bool(data.get("continue")),
        enabled=bool(data.get("enabled", True)),
        created_at=_moment(data.get("created_at")),
        updated_at=_moment(data.get("updated_at")),
        created_by=data.get("created_by"),
    )


class DynamoRuleStore:
    def __init__(self, connection: Connection, clock: Callable[[], datetime]):
        self._connection = connection
        self._clock = clock

    def get_rules(self, workspace_id: str) -> RuleSet:
        try:
            record = RuleSetRecord.get(keys.routing_pk(workspace_id), keys.RULES_SK, consistent_read=True)
        except RuleSetRecord.DoesNotExist:
            return RuleSet()
        return RuleSet(tuple(_rule(data) for data in record.rules or []), int(record.version))

    def save_rules(
        self, workspace_id: str, rules: Sequence[RoutingRule], expected_version: int, channel_ids: Collection[str]
    ) -> RuleSet:
        pk = keys.routing_pk(workspace_id)
        record = RuleSetRecord(
            pk=pk,
            sk=keys.RULES_SK,
            rules=[rule_data(rule) for rule in rules],
            version=expected_version + 1,
            updated_at=self._clock(),
        )

        def build(transaction: TransactWrite) -> None:
            as_read = (
                RuleSetRecord.version == expected_version if expected_version else RuleSetRecord.pk.does_not_exist()
            )
            transaction.save(record, condition=as_read)
            # A channel deleted since it was read would leave the rule naming nothing: this write loses then.
            for channel_id in sorted(set(channel_ids)):
                transaction.condition_check(
                    ChannelRecord, pk, keys.channel_sk(channel_id), condition=ChannelRecord.pk.exists()
                )

        lost = ConflictError("the rules or their channels changed meanwhile; read them and try again")
        commit(self._connection, build, lost, "storing the rules")
        return RuleSet(tuple(rules), expected_version + 1)
