"""What the catalog writes and how its effect is judged (remediation/model/workloads.py), on the API server's JSON."""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from aisre.remediation.model.workloads import (
    PAUSED_MESSAGE,
    delete_options,
    label_selector,
    plan_rollback,
    replacement_status,
    rollout_status,
    scale_patch,
    skipped_message,
)

DEPLOY_UID = "uid-deploy"


def template(image: str, template_hash: str | None = None) -> dict[str, Any]:
    labels = {"app": "api"}
    if template_hash:
        labels["pod-template-hash"] = template_hash
    return {"metadata": {"labels": labels}, "spec": {"containers": [{"name": "app", "image": image}]}}


def replicaset(revision: int, image: str, owner: str = DEPLOY_UID, **annotations: str) -> dict[str, Any]:
    return {
        "metadata": {
            "name": f"api-{revision}",
            "uid": f"uid-rs-{revision}",
            "annotations": {"deployment.kubernetes.io/revision": str(revision), **annotations},
            "ownerReferences": [{"kind": "Deployment", "name": "api", "uid": owner, "controller": True}],
        },
        "spec": {"template": template(image, f"hash{revision}")},
    }


def deployment(image: str = "api:3", **annotations: str) -> dict[str, Any]:
    return {
        "metadata": {
            "name": "api",
            "uid": DEPLOY_UID,
            "generation": 3,
            "annotations": {"deployment.kubernetes.io/revision": "3", **annotations},
        },
        "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "api"}}, "template": template(image)},
        "status": {"observedGeneration": 3, "replicas": 2, "updatedReplicas": 2, "availableReplicas": 2},
    }


def test_requests_are_kubectls():
    assert delete_options() == {"kind": "DeleteOptions", "apiVersion": "v1", "propagationPolicy": "Background"}
    assert scale_patch(5) == {"spec": {"replicas": 5}}


def test_label_selector_spells_every_operator():
    selector = {
        "matchLabels": {"tier": "web", "app": "api"},
        "matchExpressions": [
            {"key": "env", "operator": "In", "values": ["prod", "staging"]},
            {"key": "canary", "operator": "NotIn", "values": ["true"]},
            {"key": "team", "operator": "Exists"},
            {"key": "legacy", "operator": "DoesNotExist"},
        ],
    }
    assert label_selector(selector) == "app=api,tier=web,env in (prod,staging),canary notin (true),team,!legacy"
    assert label_selector(None) == ""


def test_rollback_goes_to_the_second_newest_revision_with_kubectls_patch():
    rss = [replicaset(1, "api:1"), replicaset(3, "api:3"), replicaset(2, "api:2", **{"team": "payments"})]
    current = deployment(**{"kubectl.kubernetes.io/last-applied-configuration": "{...}", "owner": "old"})
    plan = plan_rollback(current, rss)
    assert plan.error is None and plan.revision == 2 and not plan.skipped
    assert plan.patch == [
        {"op": "replace", "path": "/spec/template", "value": template("api:2")},  # without pod-template-hash
        {
            "op": "replace",
            "path": "/metadata/annotations",
            # kept from the deployment: the skipped ones; the rest from the ReplicaSet (`owner` is dropped)
            "value": {
                "kubectl.kubernetes.io/last-applied-configuration": "{...}",
                "deployment.kubernetes.io/revision": "3",
                "team": "payments",
            },
        },
    ]
    assert (plan.from_images, plan.to_images) == (["api:3"], ["api:2"])


def test_rollback_to_a_named_revision_and_its_refusals():
    rss = [replicaset(1, "api:1"), replicaset(2, "api:2"), replicaset(3, "api:3")]
    assert plan_rollback(deployment(), rss, to_revision=1).revision == 1
    assert plan_rollback(deployment(), rss, to_revision=7).error == "unable to find specified revision 7 in history"
    assert (
        plan_rollback(deployment(), [replicaset(3, "api:3")]).error == 'no rollout history found for deployment "api"'
    )
    # ReplicaSets another deployment controls are not this one's history.
    strangers = [replicaset(1, "api:1", owner="uid-other"), replicaset(3, "api:3")]
    assert plan_rollback(deployment(), strangers).error == 'no rollout history found for deployment "api"'
    paused = deployment()
    paused["spec"]["paused"] = True
    assert plan_rollback(paused, rss).error == PAUSED_MESSAGE


def test_rollback_to_the_template_already_running_is_skipped():
    rss = [replicaset(1, "api:3"), replicaset(3, "api:3-new")]
    plan = plan_rollback(deployment("api:3"), rss)
    assert plan.skipped and plan.patch == [] and plan.revision == 1
    assert skipped_message(plan.revision) == "skipped rollback (current template already matches revision 1)"


def test_rollout_status_follows_kubectl():
    done = deployment()
    assert rollout_status(done) == (True, 'deployment "api" successfully rolled out (2/2 available)')
    unobserved = copy.deepcopy(done)
    unobserved["metadata"]["generation"] = 4
    assert rollout_status(unobserved) == (False, "Waiting for deployment spec update to be observed...")
    updating = copy.deepcopy(done)
    updating["status"]["updatedReplicas"] = 1
    assert rollout_status(updating)[1] == "Waiting for rollout to finish: 1 out of 2 new replicas have been updated..."
    terminating = copy.deepcopy(done)
    terminating["status"]["replicas"] = 3
    assert rollout_status(terminating)[1] == "Waiting for rollout to finish: 1 old replicas are pending termination..."
    unavailable = copy.deepcopy(done)
    unavailable["status"]["availableReplicas"] = 1
    assert rollout_status(unavailable)[1] == "Waiting for rollout to finish: 1 of 2 updated replicas are available..."
    stuck = copy.deepcopy(unavailable)
    stuck["status"]["conditions"] = [{"type": "Progressing", "reason": "ProgressDeadlineExceeded"}]
    assert rollout_status(stuck) == (False, 'deployment "api" exceeded its progress deadline')


def pod(name: str, uid: str, ready: bool, owner: str | None = "uid-rs", terminating: bool = False) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": name, "uid": uid}
    if owner:
        meta["ownerReferences"] = [{"kind": "ReplicaSet", "name": "api-1", "uid": owner, "controller": True}]
    if terminating:
        meta["deletionTimestamp"] = "2026-01-01T00:00:00Z"
    return {"metadata": meta, "status": {"conditions": [{"type": "Ready", "status": "True" if ready else "False"}]}}


def test_a_replacement_is_a_new_ready_pod_of_the_same_controller():
    old = pod("api-1-a", "u1", True)
    known = frozenset({"u1", "u2"})  # the old pod and its sibling, when it was deleted
    sibling = pod("api-1-b", "u2", True)
    assert replacement_status(old, known, [sibling]) == (False, "no replacement pod of ReplicaSet api-1 yet")
    starting = pod("api-1-c", "u3", False)
    assert replacement_status(old, known, [sibling, starting])[0] is False
    assert replacement_status(old, known, [sibling, pod("api-1-c", "u3", True)]) == (
        True,
        "replacement pod api-1-c of ReplicaSet api-1 is Ready",
    )
    # Someone else's pod, and the old one terminating, are not replacements.
    assert not replacement_status(
        old, known, [pod("x", "u9", True, owner="uid-other"), pod("api-1-a", "u1", True, terminating=True)]
    )[0]
    # A StatefulSet's replacement has the old name and a new uid.
    assert replacement_status(old, known, [pod("api-1-a", "u4", True)])[0]
    assert replacement_status(pod("bare", "u5", True, owner=None), frozenset({"u5"}), []) == (
        False,
        "pod bare had no controller: nothing recreates it",
    )


@given(st.lists(st.integers(min_value=1, max_value=50), min_size=2, max_size=8, unique=True))
def test_rollback_always_picks_the_second_newest(revisions: list[int]):
    rss = [replicaset(revision, f"api:{revision}") for revision in revisions]
    newest = max(revisions)
    plan = plan_rollback(deployment(f"api:{newest}"), rss)
    assert plan.revision == sorted(revisions)[-2]
    assert plan.patch[0]["value"]["spec"]["containers"][0]["image"] == f"api:{plan.revision}"
    assert "pod-template-hash" not in plan.patch[0]["value"]["metadata"]["labels"]
