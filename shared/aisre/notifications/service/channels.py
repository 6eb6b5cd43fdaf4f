"""Channels (seed 002 /api/v1/notifications/channels): a workspace's places to send to, their secret values kept
in the secrets store and masked in everything this service hands the API. It is also the delivery worker's
ChannelLookup: `get_channel` is the one read that carries the secret values."""

from __future__ import annotations

import secrets as tokens
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from aisre.core.errors import ConflictError
from aisre.notifications.errors import ChannelConfigError, ChannelInUseError
from aisre.notifications.model.channel_changes import changed_config, new_config, split_secrets, without_secrets
from aisre.notifications.model.channels import Channel, channel_type, mask_config
from aisre.notifications.model.routing import check_name
from aisre.notifications.ports import ChannelSecrets, ChannelStore, RuleStore, StoredChannel

MAX_CHANNELS = 100
_ATTEMPTS = 3


def _no_one(workspace_id: str) -> None:
    return None


class ChannelService:
    def __init__(
        self,
        store: ChannelStore,
        rules: RuleStore,
        secrets: ChannelSecrets,
        *,
        allow_http: bool,
        clock: Callable[[], datetime],
        changed: Callable[[str], None] = _no_one,
    ):
        self._store = store
        self._rules = rules
        self._secrets = secrets
        self._allow_http = allow_http
        self._clock = clock
        # Told of every change, so that routing in this process does not wait out its cache.
        self._changed = changed

    # -- reads: secrets masked --------------------------------------------------------------------------------

    def list(self, workspace_id: str) -> list[Channel]:
        found = [stored.channel for stored in self._store.list_channels(workspace_id)]
        return sorted(found, key=lambda channel: (channel.name.casefold(), channel.id))

    def get(self, workspace_id: str, channel_id: str) -> Channel:
        return self._store.get_channel(workspace_id, channel_id).channel

    # -- ChannelLookup (the delivery worker) ------------------------------------------------------------------

    def get_channel(self, workspace_id: str, channel_id: str) -> Channel:
        """The channel with its secret values (NotFoundError when it is not in the workspace)."""
        stored = self._store.get_channel(workspace_id, channel_id)
        return stored.channel.with_config(self._full_config(stored))

    def list_channels(self, workspace_id: str) -> Sequence[Channel]:
        """Secrets masked: get_channel reads one with its secrets."""
        return self.list(workspace_id)

    # -- changes ----------------------------------------------------------------------------------------------

    def create(
        self, workspace_id: str, principal: str, *, name: Any, type: Any, config: Any, enabled: bool = True
    ) -> Channel:
        kind = channel_type(type)
        checked = new_config(kind, config, allow_http=self._allow_http)
        name = check_name(name)
        existing = self._store.list_channels(workspace_id)
        if len(existing) >= MAX_CHANNELS:
            raise ConflictError(f"a workspace has at most {MAX_CHANNELS} channels; delete one first")
        self._check_name_free(existing, name, None)
        now = self._clock()
        channel = Channel(
            id=f"ch-{tokens.token_hex(8)}",
            workspace_id=workspace_id,
            name=name,
            type=kind,
            config=mask_config(kind, checked),
            enabled=enabled,
            created_at=now,
            updated_at=now,
            created_by=principal,
        )
        secret_values = split_secrets(kind, checked)
        ref = self._secrets.put(workspace_id, channel.id, secret_values) if secret_values else None
        try:
            self._store.create_channel(StoredChannel(channel, ref))
        except BaseException:
            if ref is not None:
                self._secrets.delete(ref)  # nothing names it
            raise
        self._changed(workspace_id)
        return channel

    def update(
        self,
        workspace_id: str,
        channel_id: str,
        *,
        name: Any = None,
        type: Any = None,
        config: Any = None,
        enabled: bool | None = None,
    ) -> Channel:
        current = self._store.get_channel(workspace_id, channel_id)
        before = current.channel
        kind = channel_type(type) if type is not None else before.type
        new_name = check_name(name) if name is not None else before.name
        if new_name.casefold() != before.name.casefold():
            self._check_name_free(self._store.list_channels(workspace_id), new_name, before.id)
        old_secrets = self._secrets.get(current.secret) if current.secret else {}
        full = without_secrets(before.type, before.config) | old_secrets
        if config is not None:
            checked = changed_config(kind, before.type, full, config, allow_http=self._allow_http)
        elif kind is not before.type:
            raise ChannelConfigError(f"changing the type to {kind.value} needs its config", field="config")
        else:
            checked = full  # as stored (checked when it was written)
        new_secrets = split_secrets(kind, checked)
        ref = current.secret
        if new_secrets != old_secrets or ref is None:
            ref = self._secrets.put(workspace_id, channel_id, new_secrets) if new_secrets else None
        updated = replace(
            before,
            name=new_name,
            type=kind,
            config=mask_config(kind, checked),
            enabled=before.enabled if enabled is None else enabled,
            updated_at=self._clock(),
            version=before.version + 1,
        )
        # A write that loses leaves its secret version unnamed: the stored channel names its own version.
        self._store.replace_channel(current, StoredChannel(updated, ref))
        if current.secret is not None and ref is None:
            self._secrets.delete(current.secret)  # no secret values any more
        self._changed(workspace_id)
        return updated

    def delete(self, workspace_id: str, channel_id: str) -> Channel:
        """ChannelInUseError (409) while rules of the workspace name it: removing it from them silently would
        leave a rule that matches and sends nowhere, which its writer did not ask for."""
        for attempt in range(_ATTEMPTS):
            current = self._store.get_channel(workspace_id, channel_id)
            rules = self._rules.get_rules(workspace_id)
            naming = [rule for rule in rules.rules if channel_id in rule.channels]
            if naming:
                listed = ", ".join(f"{rule.name} ({rule.id})" for rule in naming)
                raise ChannelInUseError(
                    f"channel {channel_id} is named by the rules {listed}: remove it from them first",
                    field="channel_id",
                    details={"rules": [{"id": rule.id, "name": rule.name} for rule in naming]},
                )
            try:
                self._store.delete_channel(current, rules.version)
            except ConflictError:
                if attempt == _ATTEMPTS - 1:
                    raise
                continue
            if current.secret is not None:
                self._secrets.delete(current.secret)
            self._changed(workspace_id)
            return current.channel
        raise AssertionError("unreachable")

    def _full_config(self, stored: StoredChannel) -> Mapping[str, Any]:
        channel = stored.channel
        values = self._secrets.get(stored.secret) if stored.secret else {}
        return without_secrets(channel.type, channel.config) | values

    @staticmethod
    def _check_name_free(existing: Sequence[StoredChannel], name: str, own_id: str | None) -> None:
        for stored in existing:
            if stored.channel.id != own_id and stored.channel.name.casefold() == name.casefold():
                raise ConflictError(
                    f"the workspace has a channel named {name!r} already ({stored.channel.id})", field="name"
                )
