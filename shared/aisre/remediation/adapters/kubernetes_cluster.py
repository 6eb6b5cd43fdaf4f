"""WorkloadCluster over the Kubernetes API, under the actions function's own identity: ACTIONS_KUBECONFIG (a
kubeconfig and context), an EKS cluster through the function's role (its access entry), or the pod's service
account. Only the requests in REQUESTS are ever sent; infra/kubernetes/rbac.yaml grants exactly their verbs
(tests/unit/test_rbac_manifests.py holds the two together).

The kubernetes client is imported on the first call, not with this module: listing approvals loads none of it.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from typing import Any

from aisre.remediation.errors import ClusterError

Obj = dict[str, Any]

MERGE_PATCH = "application/merge-patch+json"
JSON_PATCH = "application/json-patch+json"


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    # What RBAC calls it: (verb, API group, resource[/subresource]).
    verb: str
    group: str
    resource: str


REQUESTS: dict[str, Request] = {
    "read_pod": Request("GET", "/api/v1/namespaces/{namespace}/pods/{name}", "get", "", "pods"),
    "list_pods": Request("GET", "/api/v1/namespaces/{namespace}/pods", "list", "", "pods"),
    "delete_pod": Request("DELETE", "/api/v1/namespaces/{namespace}/pods/{name}", "delete", "", "pods"),
    "read_deployment": Request(
        "GET", "/apis/apps/v1/namespaces/{namespace}/deployments/{name}", "get", "apps", "deployments"
    ),
    "patch_deployment": Request(
        "PATCH", "/apis/apps/v1/namespaces/{namespace}/deployments/{name}", "patch", "apps", "deployments"
    ),
    "read_scale": Request(
        "GET", "/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale", "get", "apps", "deployments/scale"
    ),
    "patch_scale": Request(
        "PATCH", "/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale", "patch", "apps", "deployments/scale"
    ),
    "list_replicasets": Request(
        "GET", "/apis/apps/v1/namespaces/{namespace}/replicasets", "list", "apps", "replicasets"
    ),
}


@dataclass(frozen=True)
class ActionsTarget:
    """Where the actions write. The first that is set wins: a kubeconfig, an EKS cluster, in-cluster."""

    kubeconfig: str | None = None
    context: str | None = None
    eks_cluster_name: str | None = None
    eks_region: str | None = None
    in_cluster: bool = False
    # What a call says when none of the above is set.
    unconfigured: str = "no cluster is configured for actions (ACTIONS_KUBECONFIG, or KUBECONFIG locally)"

    @property
    def configured(self) -> bool:
        return bool(self.kubeconfig or self.eks_cluster_name or self.in_cluster)


def _connect(target: ActionsTarget) -> Any:
    from kubernetes import client, config

    configuration = client.Configuration()
    if target.kubeconfig:
        config.load_kube_config(
            config_file=target.kubeconfig, context=target.context, client_configuration=configuration
        )
    elif target.eks_cluster_name:
        from aisre.core.eks_auth import configure_eks

        configure_eks(configuration, target.eks_cluster_name, target.eks_region)
    elif target.in_cluster:
        config.load_incluster_config(client_configuration=configuration)
    else:
        raise ClusterError(target.unconfigured)
    # A write is answered or not: urllib3 would retry a refused connection three times by default.
    configuration.retries = 0
    return client.ApiClient(configuration)


def _failure(status: int | None, body: bytes | str | None, fallback: str) -> ClusterError:
    """The API server's Status object (its message and reason), else what there is."""
    try:
        status_object = json.loads(body or b"")
    except (TypeError, ValueError):
        status_object = None
    if isinstance(status_object, dict) and status_object.get("message"):
        return ClusterError(str(status_object["message"]), status=status, reason=str(status_object.get("reason") or ""))
    return ClusterError(fallback, status=status)


class KubernetesCluster:
    def __init__(self, target: ActionsTarget, timeout: tuple[float, float] = (3.0, 10.0)):
        self._target = target
        self._timeout = timeout
        self._client: Any = None
        self._lock = threading.Lock()

    def _api(self) -> Any:
        with self._lock:
            if self._client is None:
                try:
                    self._client = _connect(self._target)
                except ClusterError:
                    raise
                except Exception as error:  # a broken kubeconfig, an EKS lookup that failed
                    raise ClusterError(f"cannot configure the actions' cluster: {error}") from error
            return self._client

    def _call(
        self,
        operation: str,
        namespace: str,
        name: str = "",
        *,
        query: list[tuple[str, str]] | None = None,
        body: Any = None,
        content_type: str = "application/json",
    ) -> Obj:
        request = REQUESTS[operation]
        api = self._api()
        from kubernetes.client.exceptions import ApiException

        path = request.path.format(namespace=namespace, name=name)
        headers = {"Accept": "application/json"}
        if body is not None:
            headers["Content-Type"] = content_type
        try:
            response = api.call_api(
                path,
                request.method,
                query_params=query or [],
                header_params=headers,
                body=body,
                auth_settings=["BearerToken"],
                _preload_content=False,
                _return_http_data_only=True,
                _request_timeout=self._timeout,
            )
            found: Obj = json.loads(response.data or b"{}")
            return found
        except ApiException as error:
            raise _failure(error.status, error.body, f"{error.status} {error.reason}") from error
        except (OSError, ValueError) as error:
            raise ClusterError(f"cannot reach the cluster: {type(error).__name__}: {error}") from error
        except Exception as error:  # urllib3's MaxRetryError, ProtocolError... never a 5xx of ours
            raise ClusterError(f"cannot reach the cluster: {type(error).__name__}") from error

    def read_pod(self, namespace: str, name: str) -> Obj:
        return self._call("read_pod", namespace, name)

    def list_pods(self, namespace: str, label_selector: str) -> list[Obj]:
        query = [("labelSelector", label_selector)] if label_selector else []
        return list(self._call("list_pods", namespace, query=query).get("items") or [])

    def delete_pod(self, namespace: str, name: str, body: Obj) -> Obj:
        return self._call("delete_pod", namespace, name, body=body)

    def read_deployment(self, namespace: str, name: str) -> Obj:
        return self._call("read_deployment", namespace, name)

    def read_scale(self, namespace: str, name: str) -> Obj:
        return self._call("read_scale", namespace, name)

    def patch_scale(self, namespace: str, name: str, merge_patch: Obj) -> Obj:
        return self._call("patch_scale", namespace, name, body=merge_patch, content_type=MERGE_PATCH)

    def list_replicasets(self, namespace: str, label_selector: str) -> list[Obj]:
        query = [("labelSelector", label_selector)] if label_selector else []
        return list(self._call("list_replicasets", namespace, query=query).get("items") or [])

    def patch_deployment(self, namespace: str, name: str, json_patch: list[Obj]) -> Obj:
        return self._call("patch_deployment", namespace, name, body=json_patch, content_type=JSON_PATCH)
