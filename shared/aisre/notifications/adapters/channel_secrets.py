"""ChannelSecrets on AWS Secrets Manager (boto3 loaded on first use; the local stack's emulator serves it): one
secret per channel, `{CHANNEL_SECRET_PREFIX}/{workspace}/{channel id}`, holding its secret config values as a JSON
object. Each write is a new version whose id the channel's record keeps; reads of a version are cached briefly,
since the delivery worker reads the same channel for every message."""

from __future__ import annotations

import json
import logging
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from functools import cached_property
from typing import Any

from aisre.notifications.ports import SecretRef

logger = logging.getLogger(__name__)
_MAX_CACHED = 1024


class SecretsManagerChannelSecrets:
    def __init__(
        self,
        region: str,
        endpoint_url: str | None,
        prefix: str,
        cache_seconds: float = 60.0,
        monotonic: Callable[[], float] = time.monotonic,
    ):
        self._region = region
        self._endpoint_url = endpoint_url
        self._prefix = prefix.strip("/")
        self._cache_seconds = cache_seconds
        self._monotonic = monotonic
        self._cache: dict[SecretRef, tuple[float, dict[str, str]]] = {}
        self._lock = threading.Lock()

    @cached_property
    def _client(self) -> Any:
        import boto3

        return boto3.session.Session().client(
            "secretsmanager", region_name=self._region, endpoint_url=self._endpoint_url
        )

    def name_of(self, workspace_id: str, channel_id: str) -> str:
        return f"{self._prefix}/{workspace_id}/{channel_id}"

    def put(self, workspace_id: str, channel_id: str, values: Mapping[str, str]) -> SecretRef:
        name = self.name_of(workspace_id, channel_id)
        body = json.dumps(dict(values), sort_keys=True)
        # Our own version id: the channel's record names it, so a read finds exactly the values it was stored with.
        version = str(uuid.uuid4())
        try:
            self._client.put_secret_value(SecretId=name, SecretString=body, ClientRequestToken=version)
        except self._client.exceptions.ResourceNotFoundException:
            self._client.create_secret(
                Name=name,
                SecretString=body,
                ClientRequestToken=version,
                Description=f"aisre notification channel {channel_id} of workspace {workspace_id}",
                Tags=[
                    {"Key": "aisre:workspace", "Value": workspace_id},
                    {"Key": "aisre:channel", "Value": channel_id},
                ],
            )
        ref = SecretRef(name, version)
        self._remember(ref, dict(values))
        return ref

    def get(self, ref: SecretRef) -> dict[str, str]:
        now = self._monotonic()
        with self._lock:
            cached = self._cache.get(ref)
        if cached is not None and cached[0] > now:
            return dict(cached[1])
        request: dict[str, str] = {"SecretId": ref.name}
        if ref.version:
            request["VersionId"] = ref.version
        try:
            answer = self._client.get_secret_value(**request)
        except self._client.exceptions.ResourceNotFoundException:
            # Deleted outside the platform: the channel reads as having no secret values (a send then fails on
            # its config, an update asks for them again), rather than every read of it failing.
            logger.warning("channel secret missing", extra={"secret": ref.name})
            return {}
        try:
            values = json.loads(answer.get("SecretString") or "{}")
        except ValueError:
            values = {}
        found = {str(key): str(value) for key, value in values.items()} if isinstance(values, dict) else {}
        self._remember(ref, found)
        return dict(found)

    def delete(self, ref: SecretRef) -> None:
        with self._lock:
            for cached in [key for key in self._cache if key.name == ref.name]:
                del self._cache[cached]
        try:
            # No recovery window: the channel is gone, and its id (hence the name) is never used again.
            self._client.delete_secret(SecretId=ref.name, ForceDeleteWithoutRecovery=True)
        except self._client.exceptions.ResourceNotFoundException:
            return

    def _remember(self, ref: SecretRef, values: dict[str, str]) -> None:
        with self._lock:
            if len(self._cache) >= _MAX_CACHED:
                self._cache.clear()
            self._cache[ref] = (self._monotonic() + self._cache_seconds, values)
