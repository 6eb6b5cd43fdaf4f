"""API keys: hashed on load, scoped or global, plain or pre-hashed entries."""

import pytest

from aisre.core.auth import Keyring, check_workspace_id, hash_key
from aisre.core.errors import ValidationError


def test_empty_spec_is_dev_mode():
    assert Keyring("").dev_mode
    assert Keyring(" , ").dev_mode


def test_global_and_scoped_keys():
    ring = Keyring("admin-key, acme-key:ws-acme")
    assert not ring.dev_mode
    admin = ring.authenticate("admin-key")
    scoped = ring.authenticate("acme-key")
    assert admin is not None and admin.workspace_id is None
    assert scoped is not None and scoped.workspace_id == "ws-acme"
    assert ring.authenticate("acme-key:ws-acme") is None
    assert ring.authenticate("nope") is None


def test_prehashed_entries_never_need_the_plain_key():
    ring = Keyring(f"sha256:{hash_key('secret-1')},sha256:{hash_key('secret-2')}:ws-2")
    first, second = ring.authenticate("secret-1"), ring.authenticate("secret-2")
    assert first is not None and first.workspace_id is None
    assert second is not None and second.workspace_id == "ws-2"
    assert "secret" not in repr(ring.__dict__)


def test_key_id_is_a_hash_prefix_not_the_key():
    caller = Keyring("my-plain-key").authenticate("my-plain-key")
    assert caller is not None
    assert caller.key_id == hash_key("my-plain-key")[:12]


@pytest.mark.parametrize("bad", ["", "has space", "a#b", "-leading", "x" * 65])
def test_workspace_ids_that_could_break_keys_are_refused(bad):
    with pytest.raises(ValidationError):
        check_workspace_id(bad)


@pytest.mark.parametrize("name", ["autonomy", "dev-mode"])
def test_no_key_may_take_a_name_the_platform_acts_as(name):
    # Autonomy's actions are marked by their principal: a person's key named so would wear the mark.
    with pytest.raises(ValidationError) as raised:
        Keyring(f"{name}=some-key")
    assert raised.value.field == "AI_SRE_API_KEYS" and "reserved" in raised.value.message
    assert Keyring("autonomy-ops=some-key").authenticate("some-key").principal == "autonomy-ops"
