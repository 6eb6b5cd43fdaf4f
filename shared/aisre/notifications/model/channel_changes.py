"""A channel's config as a create or an update leaves it: checked (model/channels.py's validate_config), a masked
value sent back keeping the stored secret, and split into what the table keeps and what the secrets store keeps."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from aisre.notifications.errors import ChannelConfigError
from aisre.notifications.model.channels import MASK, ChannelType, merge_config, secret_keys, validate_config

# A channel's config is a few addresses and keys: bounded so that no list of recipients grows its item past what
# the table takes.
MAX_CONFIG_BYTES = 16_384


def new_config(kind: ChannelType, config: Any, *, allow_http: bool) -> dict[str, Any]:
    checked = validate_config(kind, config, allow_http=allow_http)
    _refuse_masks(kind, checked)
    if len(json.dumps(checked)) > MAX_CONFIG_BYTES:
        raise ChannelConfigError(f"config is larger than {MAX_CONFIG_BYTES} bytes", field="config")
    return checked


def changed_config(
    kind: ChannelType,
    current_kind: ChannelType,
    current: Mapping[str, Any],
    update: Any,
    *,
    allow_http: bool,
) -> dict[str, Any]:
    """`update` over the `current` config (secrets included): a secret sent back masked keeps its stored value, as
    long as the type stays the same (another type's secret means something else)."""
    if not isinstance(update, Mapping):
        raise ChannelConfigError("config must be an object", field="config")
    merged = merge_config(kind, current, update) if kind is current_kind else dict(update)
    return new_config(kind, merged, allow_http=allow_http)


def split_secrets(kind: ChannelType, config: Mapping[str, Any]) -> dict[str, str]:
    """The secret values of a checked config (what goes to the secrets store)."""
    return {key: str(config[key]) for key in sorted(secret_keys(kind)) if key in config}


def without_secrets(kind: ChannelType, config: Mapping[str, Any]) -> dict[str, Any]:
    secrets = secret_keys(kind)
    return {key: value for key, value in config.items() if key not in secrets}


def _refuse_masks(kind: ChannelType, config: Mapping[str, Any]) -> None:
    # A masked value that merge_config could not replace (a new key, another type) would be stored as the secret
    # itself, and a masked URL is even a valid one: the channel would send to `https://host/********`.
    for key in sorted(secret_keys(kind)):
        value = config.get(key)
        if isinstance(value, str) and MASK in value:
            raise ChannelConfigError(
                f"config.{key} is masked: send its value (a masked value keeps only a secret the channel has)",
                field=f"config.{key}",
            )
