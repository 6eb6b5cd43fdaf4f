"""EKS bearer tokens as `aws eks get-token` makes them: a presigned STS GetCallerIdentity URL, base64url-encoded."""

from __future__ import annotations

import base64
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

TOKEN_PREFIX = "k8s-aws-v1."
# The cluster names itself in this header; signing it stops a token minted for one cluster opening another.
CLUSTER_HEADER = "x-k8s-aws-id"
# What `aws eks get-token` uses; EKS accepts a token for 15 minutes whatever the URL's expiry says.
URL_EXPIRES_SECONDS = 60
TOKEN_LIFETIME = timedelta(minutes=14)  # one minute short of EKS's 15, so a token is never used as it lapses


def eks_token(cluster_name: str, region: str, credentials: Any, now: datetime) -> str:
    """The bearer token for `cluster_name`, signed with botocore `credentials` as at `now` (UTC).

    Pure apart from botocore's signing arithmetic: the same inputs give the same token, which is what lets a
    test check it. botocore is imported here, not at module level, to keep it off import paths that never sign.
    """
    from botocore.auth import SIGV4_TIMESTAMP, SigV4QueryAuth
    from botocore.awsrequest import AWSRequest

    class _AtTime(SigV4QueryAuth):
        # SigV4QueryAuth reads the wall clock inside add_auth; the signing time is a parameter here instead.
        def add_auth(self, request: AWSRequest) -> None:
            request.context["timestamp"] = now.astimezone(UTC).strftime(SIGV4_TIMESTAMP)
            self._modify_request_before_signing(request)
            canonical = self.canonical_request(request)
            signature = self.signature(self.string_to_sign(request, canonical), request)
            self._inject_signature_to_request(request, signature)

    url = f"https://sts.{region}.amazonaws.com/?Action=GetCallerIdentity&Version=2011-06-15"
    request = AWSRequest(method="GET", url=url, headers={CLUSTER_HEADER: cluster_name})
    _AtTime(credentials, "sts", region, expires=URL_EXPIRES_SECONDS).add_auth(request)
    presigned: str = request.prepare().url
    return TOKEN_PREFIX + base64.urlsafe_b64encode(presigned.encode()).decode().rstrip("=")


class EksTokenSource:
    """Mints tokens from the default AWS credential chain and reuses each until shortly before EKS drops it."""

    def __init__(
        self,
        cluster_name: str,
        region: str,
        credentials_provider: Callable[[], Any] | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.cluster_name = cluster_name
        self.region = region
        self._credentials_provider = credentials_provider or _default_credentials
        self._clock = clock
        self._lock = threading.Lock()
        self._token: str | None = None
        self._expires_at = datetime.min.replace(tzinfo=UTC)

    def token(self) -> str:
        with self._lock:
            now = self._clock()
            if self._token is None or now >= self._expires_at:
                # Credentials are fetched each time: role credentials rotate and botocore refreshes them.
                credentials = self._credentials_provider()
                self._token = eks_token(self.cluster_name, self.region, credentials, now)
                self._expires_at = now + TOKEN_LIFETIME
            return self._token


def _default_credentials() -> Any:
    import boto3

    credentials = boto3.session.Session().get_credentials()
    if credentials is None:
        raise RuntimeError("no AWS credentials found to sign an EKS token")
    return credentials.get_frozen_credentials()
