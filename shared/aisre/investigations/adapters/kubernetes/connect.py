"""Which Kubernetes cluster the tools read, and an API client for it: kubeconfig, in-cluster, or EKS by name."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from aisre.core.eks_auth import configure_eks


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
        configure_eks(configuration, target.eks_cluster_name, target.eks_region)
    elif target.in_cluster:
        config.load_incluster_config(client_configuration=configuration)
    else:
        raise LookupError("no Kubernetes cluster configured")
    # urllib3 retries a refused connection three times by default; an investigation would rather hear at once.
    configuration.retries = retries
    return client.ApiClient(configuration)
