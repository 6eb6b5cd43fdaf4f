"""API keys: held only as SHA-256 hashes, each seeing every workspace or exactly one."""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass

from aisre.core.errors import ValidationError

WORKSPACE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
# A key's name (`alice=key`): what approvals and the audit record as who asked and who decided.
KEY_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9._@-]{0,63}$")
_HASHED = re.compile(r"^sha256:([0-9a-fA-F]{64})$")


@dataclass(frozen=True)
class Caller:
    """Who is calling: the workspace their key is scoped to (None: every workspace)."""

    workspace_id: str | None
    key_id: str  # first hex digits of the key's hash: safe to log, enough to tell keys apart
    name: str | None = None  # the key's name in AI_SRE_API_KEYS (`alice=key`), if it was given one

    @property
    def principal(self) -> str:
        """Who this is, as services and the audit record it: the key's name, else `api-key:<hash prefix>`."""
        if self.name:
            return self.name
        return self.key_id if self.key_id == DEV_MODE else f"api-key:{self.key_id}"

    @property
    def authenticated(self) -> bool:
        """False in dev mode (no keys configured): anyone may call, under one shared principal."""
        return self.key_id != DEV_MODE


DEV_MODE = "dev-mode"
DEV_CALLER = Caller(workspace_id=None, key_id=DEV_MODE)
# The principal autonomy cycles act as (autonomy/): what marks their actions, approvals and timeline events. No key
# may take the name, so the mark cannot be worn by a person.
AUTONOMY_PRINCIPAL = "autonomy"
# The principal the demo's story acts as (demo/): who asked for its approval, resolved its earlier incident. Reserved
# too, so that a person's key (an admin's, which may seed) is never the requester and can approve the demo's approval.
DEMO_PRINCIPAL = "demo"
RESERVED_PRINCIPALS = frozenset({AUTONOMY_PRINCIPAL, DEMO_PRINCIPAL, DEV_MODE})


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def check_workspace_id(value: str, field: str = "workspace_id") -> str:
    if not WORKSPACE_ID.match(value):
        raise ValidationError(
            f"{field} must be 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit", field=field
        )
    return value


@dataclass(frozen=True)
class _Entry:
    digest: bytes
    workspace_id: str | None
    name: str | None = None


def _split_name(raw: str) -> tuple[str | None, str]:
    """`alice=key...` -> ("alice", "key..."); an entry without a name is returned whole.

    Base64 keys end in `=` padding, so `=` names the key only when a name stands before it and key text
    (not more padding) after it: `abc==` is a key, `alice=abc==` is alice's key `abc==`."""
    name, separator, rest = raw.partition("=")
    if separator and rest and not rest.startswith("=") and KEY_NAME.match(name):
        if name in RESERVED_PRINCIPALS:
            raise ValidationError(f"AI_SRE_API_KEYS: the key name {name!r} is reserved", field="AI_SRE_API_KEYS")
        return name, rest
    return None, raw


class Keyring:
    """Parsed from AI_SRE_API_KEYS: `key` (every workspace) or `key:ws-id` (one), comma-separated, each
    optionally named, `alice=key` or `alice=key:ws-id` (unnamed keys are named by their hash prefix).

    An entry may also be given already hashed, `sha256:<hex>[:ws-id]` (named: `alice=sha256:<hex>`), so the
    plain key need not be stored anywhere at all. Plain entries are hashed on load and the text is dropped.
    """

    def __init__(self, spec: str):
        self._entries: list[_Entry] = []
        for raw in (part.strip() for part in spec.split(",")):
            if not raw:
                continue
            self._entries.append(self._parse(raw))

    @staticmethod
    def _parse(entry: str) -> _Entry:
        name, raw = _split_name(entry)
        parsed = Keyring._parse_key(raw)
        return _Entry(parsed.digest, parsed.workspace_id, name)

    @staticmethod
    def _parse_key(raw: str) -> _Entry:
        workspace: str | None = None
        hashed = _HASHED.match(raw.rsplit(":", 1)[0]) if raw.count(":") >= 2 else _HASHED.match(raw)
        if hashed:
            if raw.count(":") >= 2:
                workspace = check_workspace_id(raw.rsplit(":", 1)[1], "AI_SRE_API_KEYS")
            return _Entry(bytes.fromhex(hashed.group(1)), workspace)
        key, separator, scope = raw.partition(":")
        if separator:
            workspace = check_workspace_id(scope, "AI_SRE_API_KEYS")
        return _Entry(hashlib.sha256(key.encode("utf-8")).digest(), workspace)

    @property
    def dev_mode(self) -> bool:
        """No keys configured: every request is allowed (seed 001's dev mode)."""
        return not self._entries

    def authenticate(self, presented: str) -> Caller | None:
        digest = hashlib.sha256(presented.encode("utf-8")).digest()
        found: _Entry | None = None
        for entry in self._entries:  # all compared, in constant time each
            if hmac.compare_digest(entry.digest, digest):
                found = entry
        if found is None:
            return None
        return Caller(workspace_id=found.workspace_id, key_id=digest.hex()[:12], name=found.name)
