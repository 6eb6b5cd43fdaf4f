"""Which Kubernetes cluster the tools read, and an API client for it: kubeconfig, in-cluster, or EKS by name."""

from __future__ import annotations

import base64
import tempfile
from dataclasses import dataclass
from typing import Any

from aisre.investigations.adapters.kubernetes.eks_token import EksTokenSource


@dataclass(frozen=True)
class KubernetesTarget:
    """Where the cluster is. The first that is set wins: a kubeconfig file, an EKS cluster, in-cluster."""

    kubeconfig: str | None = None  # path to a kubeconfig file (exec plugins such as `aws eks get-token` work)
    context: str | None = None  # a context in that file; its current-context when None
    eks_cluster_name: str | None = None  # endpoint and CA come from eks:DescribeCluster, the token from STS
    eks_region: str | None = None
    in_cluster: bool = False  # the pod's service account (inside a cluster only)

    @property
    def configured(self) -> bool:
        return bool(self.kubeconfig or self.eks_cluster_name or self.in_cluster)

    @property
    def label(self) -> str:
        if self.kubeconfig:
            return f"kubeconfig {self.kubeconfig}" + (f" (context {self.context})" if self.context else "")
        if self.eks_cluster_name:
            return f"EKS cluster {self.eks_cluster_name} in {self.eks_region or 'the default region'}"
        return "in-cluster service account" if self.in_cluster else "no cluster"


def connect(target: KubernetesTarget, retries: int = 1) -> Any:
    """A kubernetes.client.ApiClient for the target. Raises on a bad or missing configuration; the caller reports it.

    kubernetes is imported here and nowhere at module level: an HTTP Lambda that never reads a cluster never pays
    for loading it.
    """
    from kubernetes import client, config

    configuration = client.Configuration()
    if target.kubeconfig:
        config.load_kube_config(
            config_file=target.kubeconfig, context=target.context, client_configuration=configuration
        )
    elif target.eks_cluster_name:
        _configure_eks(configuration, target.eks_cluster_name, target.eks_region)
    elif target.in_cluster:
        config.load_incluster_config(client_configuration=configuration)
    else:
        raise LookupError("no Kubernetes cluster configured")
    # urllib3 retries a refused connection three times by default; an investigation would rather hear at once.
    configuration.retries = retries
    return client.ApiClient(configuration)


def _configure_eks(configuration: Any, cluster_name: str, region: str | None) -> None:
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
