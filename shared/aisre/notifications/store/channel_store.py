"""ChannelStore on DynamoDB: a workspace's channels in its routing partition, each name claimed by an item of its
own in the same transaction (names are unique in a workspace), a deletion conditioned on the rules not having
changed since they were read and found not naming the channel."""

from __future__ import annotations

from collections.abc import Sequence

from pynamodb.connection import Connection
from pynamodb.transactions import TransactWrite

from aisre.core.errors import ConflictError, NotFoundError
from aisre.notifications.model.channels import Channel, ChannelType, secret_keys
from aisre.notifications.ports import SecretRef, StoredChannel
from aisre.notifications.store import routing_keys as keys
from aisre.notifications.store.routing_records import ChannelNameRecord, ChannelRecord, RuleSetRecord
from aisre.notifications.store.transactions import commit


def _to_record(stored: StoredChannel) -> ChannelRecord:
    channel = stored.channel
    assert channel.created_at is not None
    secrets = {key: value for key, value in channel.config.items() if key in secret_keys(channel.type)}
    plain = {key: value for key, value in channel.config.items() if key not in secrets}
    return ChannelRecord(
        pk=keys.routing_pk(channel.workspace_id),
        sk=keys.channel_sk(channel.id),
        channel_id=channel.id,
        workspace_id=channel.workspace_id,
        name=channel.name,
        type=channel.type.value,
        config=plain,
        masked_secrets=secrets or None,
        secret_name=stored.secret.name if stored.secret else None,
        secret_version=stored.secret.version if stored.secret else None,
        enabled=channel.enabled,
        created_at=channel.created_at,
        updated_at=channel.updated_at or channel.created_at,
        created_by=channel.created_by,
        version=channel.version,
    )


def _from_record(record: ChannelRecord) -> StoredChannel:
    config = dict(record.config or {}) | dict(record.masked_secrets or {})
    channel = Channel(
        id=record.channel_id,
        workspace_id=record.workspace_id,
        name=record.name,
        type=ChannelType(record.type),
        config=config,
        enabled=bool(record.enabled),
        created_at=record.created_at,
        updated_at=record.updated_at,
        created_by=record.created_by,
        version=int(record.version or 1),
    )
    secret = SecretRef(record.secret_name, record.secret_version or "") if record.secret_name else None
    return StoredChannel(channel, secret)


def _name_claim(channel: Channel) -> ChannelNameRecord:
    return ChannelNameRecord(
        pk=keys.routing_pk(channel.workspace_id), sk=keys.channel_name_sk(channel.name), channel_id=channel.id
    )


class DynamoChannelStore:
    def __init__(self, connection: Connection):
        self._connection = connection

    def list_channels(self, workspace_id: str) -> Sequence[StoredChannel]:
        records = ChannelRecord.query(
            keys.routing_pk(workspace_id), ChannelRecord.sk.startswith(keys.CHANNEL_PREFIX), consistent_read=True
        )
        return [_from_record(record) for record in records]

    def get_channel(self, workspace_id: str, channel_id: str) -> StoredChannel:
        try:
            record = ChannelRecord.get(keys.routing_pk(workspace_id), keys.channel_sk(channel_id), consistent_read=True)
        except ChannelRecord.DoesNotExist:
            raise NotFoundError(f"channel {channel_id} not found", field="channel_id") from None
        return _from_record(record)

    def create_channel(self, stored: StoredChannel) -> None:
        channel = stored.channel

        def build(transaction: TransactWrite) -> None:
            transaction.save(_to_record(stored), condition=ChannelRecord.pk.does_not_exist())
            transaction.save(_name_claim(channel), condition=ChannelNameRecord.pk.does_not_exist())

        taken = ConflictError(f"the workspace has a channel named {channel.name!r} already", field="name")
        commit(self._connection, build, taken, "storing the channel")

    def replace_channel(self, current: StoredChannel, updated: StoredChannel) -> None:
        before, after = current.channel, updated.channel

        def build(transaction: TransactWrite) -> None:
            transaction.save(_to_record(updated), condition=ChannelRecord.version == before.version)
            if before.name.casefold() != after.name.casefold():
                transaction.delete(_name_claim(before), condition=ChannelNameRecord.channel_id == before.id)
                transaction.save(_name_claim(after), condition=ChannelNameRecord.pk.does_not_exist())

        lost = ConflictError(
            f"channel {before.id} was changed meanwhile, or the name {after.name!r} was taken; read it and try again"
        )
        commit(self._connection, build, lost, "storing the channel")

    def delete_channel(self, stored: StoredChannel, rules_version: int) -> None:
        channel = stored.channel
        pk = keys.routing_pk(channel.workspace_id)

        def build(transaction: TransactWrite) -> None:
            transaction.delete(_to_record(stored), condition=ChannelRecord.version == channel.version)
            transaction.delete(_name_claim(channel), condition=ChannelNameRecord.channel_id == channel.id)
            # A rule written since the rules were read might name this channel: then this deletion loses.
            unchanged = RuleSetRecord.version == rules_version if rules_version else RuleSetRecord.pk.does_not_exist()
            transaction.condition_check(RuleSetRecord, pk, keys.RULES_SK, condition=unchanged)

        lost = ConflictError(f"channel {channel.id} or the rules changed meanwhile; try again")
        commit(self._connection, build, lost, "deleting the channel")
