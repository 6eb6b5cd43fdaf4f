"""EKS bearer tokens as `aws eks get-token` makes them (a presigned STS GetCallerIdentity URL, base64url-encoded),
and a kubernetes client Configuration pointed at an EKS cluster with them, so that a function reaches a cluster
under its own IAM role (an EKS access entry maps the role to a Kubernetes group).

botocore, boto3 and kubernetes are imported inside the functions: nothing loads them before a cluster is asked for.
"""

from __future__ import annotations

import base64
import tempfile
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
    test check it."""
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
                self._token = eks_token(self.cluster_name, self.region, self._credentials_provider(), now)
                self._expires_at = now + TOKEN_LIFETIME
            return self._token


def _default_credentials() -> Any:
    import boto3

    credentials = boto3.session.Session().get_credentials()
    if credentials is None:
        raise RuntimeError("no AWS credentials found to sign an EKS token")
    return credentials.get_frozen_credentials()


def configure_eks(configuration: Any, cluster_name: str, region: str | None) -> None:
    """Point a kubernetes.client.Configuration at an EKS cluster: endpoint and CA from eks:DescribeCluster,
    a bearer token from this function's own role, refreshed before it lapses."""
    import boto3

    eks = boto3.client("eks", region_name=region)
    cluster = eks.describe_cluster(name=cluster_name)["cluster"]
    region = region or eks.meta.region_name
    configuration.host = cluster["endpoint"]
    # The client wants the CA as a file; /tmp is the one writable place in Lambda.
    with tempfile.NamedTemporaryFile("wb", suffix=".crt", prefix="eks-ca-", delete=False) as ca:
        ca.write(base64.b64decode(cluster["certificateAuthority"]["data"]))
    configuration.ssl_ca_cert = ca.name
    source = EksTokenSource(cluster_name, str(region))
    configuration.api_key_prefix = {"authorization": "Bearer"}
    configuration.api_key = {"authorization": source.token()}

    # Called by the client before each request: the source hands back its cached token until it nears expiry.
    def refresh(config_: Any) -> None:
        config_.api_key["authorization"] = source.token()

    configuration.refresh_api_key_hook = refresh
