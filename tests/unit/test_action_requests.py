"""Requests, rate-limit slots, approvals' decisions, config proposals, named keys and the RBAC manifests: the pure
parts of the execution path."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from aisre.core.auth import Keyring, hash_key
from aisre.core.errors import ValidationError
from aisre.remediation.errors import ApprovalDecidedError, SelfApprovalError
from aisre.remediation.model.actions import CATALOG
from aisre.remediation.model.approvals import Approval, ApprovalStatus, check_decision
from aisre.remediation.model.config_fix import draft_config_fix
from aisre.remediation.model.policy import Policy, RateLimit, approval_reasons, load_policy, policy_refusals
from aisre.remediation.model.rate_limits import RateScope, choose_slot, limit_reason, rate_scopes
from aisre.remediation.model.requests import action_request, request_fingerprint, suggestion_key

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
ROOT = Path(__file__).resolve().parents[2]


# -- requests ---------------------------------------------------------------------------------------------------


def test_a_request_takes_the_fields_its_action_needs_and_names_the_first_missing():
    request = action_request(
        "restart_pod", {"namespace": "shop", "pod_name": "api-1", "deployment_name": "", "replicas": None}
    )
    assert request.arguments == {"namespace": "shop", "pod_name": "api-1"} and request.dry_run
    assert request.target == "api-1" and request.target_fields() == {"namespace": "shop", "pod_name": "api-1"}
    with pytest.raises(ValidationError) as missing:
        action_request("scale_deployment", {"namespace": "shop", "deployment_name": "api"})
    assert missing.value.field == "replicas"
    with pytest.raises(ValidationError) as unknown:
        action_request("drain_node", {})
    assert unknown.value.field == "action"
    with pytest.raises(ValidationError) as malformed:
        action_request("restart_pod", {"namespace": "Shop", "pod_name": "api"})
    assert malformed.value.field == "namespace"
    # A caller cannot state what only the cluster knows.
    scale = action_request(
        "scale_deployment", {"namespace": "s", "deployment_name": "d", "replicas": 2, "current_replicas": 2}
    )
    assert "current_replicas" not in scale.arguments
    advice = action_request("suggest_config_fix", {"component": "api", "issue": "OOM"})
    assert advice.arguments["current_spec"] == ""


def test_keys_that_match_suggestions_and_requests():
    assert suggestion_key("restart_pod", {"pod_name": "a", "namespace": "b"}) == suggestion_key(
        "restart_pod", {"namespace": "b", "pod_name": "a"}
    )
    request = action_request("restart_pod", {"namespace": "b", "pod_name": "a"})
    assert request_fingerprint(request, "alice") != request_fingerprint(request, "bob")


# -- rate limits --------------------------------------------------------------------------------------------------


def test_rate_scopes_per_namespace_and_per_target():
    policy = Policy(rate_limits={"restart_pod": RateLimit(max_executions=3, window_minutes=60, max_per_target=1)})
    request = action_request("restart_pod", {"namespace": "shop", "pod_name": "api-1"})
    assert [scope.key for scope in rate_scopes(request, policy)] == ["restart_pod:shop", "restart_pod:shop:api-1"]
    assert rate_scopes(request, Policy(rate_limits={})) == []


def test_a_slot_frees_one_window_after_it_was_taken():
    scope = RateScope("restart_pod:shop", 2, timedelta(minutes=60), "restart_pod in shop")
    assert choose_slot(scope, {}, NOW).index == 0
    one = {0: NOW - timedelta(minutes=10)}
    assert choose_slot(scope, one, NOW).index == 1
    full = {0: NOW - timedelta(minutes=10), 1: NOW - timedelta(minutes=50)}
    choice = choose_slot(scope, full, NOW)
    assert choice.index is None and choice.retry_after_seconds == 10 * 60
    assert limit_reason(scope, choice) == "rate limit: 2 restart_pod in shop in the last 60 minutes (max 2)"
    stale = {0: NOW - timedelta(minutes=10), 1: NOW - timedelta(minutes=61)}
    reused = choose_slot(scope, stale, NOW)
    assert reused.index == 1 and reused.taken_at == stale[1]  # the condition: still as read
    assert choose_slot(RateScope("x", 0, timedelta(minutes=5), "x"), {}, NOW).retry_after_seconds == 300


@given(st.lists(st.integers(min_value=0, max_value=200), max_size=6), st.integers(min_value=1, max_value=5))
def test_never_more_than_the_limit_in_a_window(ages: list[int], slots: int):
    scope = RateScope("k", slots, timedelta(minutes=60), "k")
    taken = {index: NOW - timedelta(minutes=age) for index, age in enumerate(ages[:slots])}
    choice = choose_slot(scope, taken, NOW)
    busy = sum(1 for at in taken.values() if NOW - at < scope.window)
    assert (choice.index is None) == (busy >= slots)
    if choice.index is None:
        assert 1 <= choice.retry_after_seconds <= 3600


# -- policy at execution -----------------------------------------------------------------------------------------


def test_refusals_and_approval_reasons_apart_from_rate_limits():
    spec = CATALOG["scale_deployment"]
    policy = load_policy({"replicas": {"max": 10}})
    assert policy_refusals(spec, {"namespace": "kube-system", "replicas": 50}, policy) == [
        "namespace kube-system is denied",
        "replicas 50 above the maximum 10",
    ]
    reasons = approval_reasons(
        spec, {"namespace": "a", "deployment_name": "d", "replicas": 8, "current_replicas": 2}, policy
    )
    assert "scaling from 2 to 8 replicas is more than a 2x change: approval required" in reasons
    lenient = load_policy({"approval_required": False, "auto_approve": ["restart_pod"]})
    assert approval_reasons(CATALOG["restart_pod"], {"namespace": "a", "pod_name": "p"}, lenient) == []
    assert approval_reasons(CATALOG["restart_pod"], {"namespace": "a", "pod_name": "p"}, Policy()) == [
        "policy default requires approval for restart_pod"
    ]


# -- approvals -----------------------------------------------------------------------------------------------


def approval(**changes: object) -> Approval:
    base = Approval(
        id="apr-1",
        workspace_id="ws",
        action="restart_pod",
        arguments={"namespace": "shop", "pod_name": "api-1"},
        requested_by="alice",
        requested_at=NOW,
        expires_at=NOW + timedelta(hours=1),
    )
    return base.model_copy(update=changes)


def test_who_may_decide_and_when():
    check_decision(approval(), "bob", NOW, require_distinct=True, authenticated=True)
    with pytest.raises(SelfApprovalError):
        check_decision(approval(), "alice", NOW, require_distinct=True, authenticated=True)
    check_decision(approval(), "alice", NOW, require_distinct=False, authenticated=True)
    check_decision(approval(), "dev-mode", NOW, require_distinct=True, authenticated=False)
    with pytest.raises(ApprovalDecidedError, match="expired"):
        check_decision(approval(), "bob", NOW + timedelta(hours=1), require_distinct=True, authenticated=True)
    decided = approval(status=ApprovalStatus.REJECTED, decided_by="carol")
    with pytest.raises(ApprovalDecidedError, match="already rejected by carol"):
        check_decision(decided, "bob", NOW, require_distinct=True, authenticated=True)
    assert approval().status_at(NOW + timedelta(hours=2)) is ApprovalStatus.EXPIRED
    assert decided.status_at(NOW + timedelta(hours=2)) is ApprovalStatus.REJECTED


# -- config proposals -------------------------------------------------------------------------------------------


SPEC = """containers:
  - name: app
    env:
      - name: LOG_LEVEL
        value: info
    resources:
      limits:
        memory: 512Mi
        cpu: 250m
      requests:
        memory: 256Mi
    livenessProbe:
      initialDelaySeconds: 5
      timeoutSeconds: 1
"""


def test_config_fix_doubles_the_memory_limit_only():
    proposal = draft_config_fix("api", "Container was OOMKilled", SPEC)
    assert "-        memory: 512Mi\n+        memory: 1Gi\n" in proposal.diff
    assert "memory: 256Mi" not in proposal.diff.replace(" memory: 256Mi", "")  # requests untouched
    assert proposal.summary == "api: memory limit 512Mi -> 1Gi"


def test_config_fix_cpu_probe_and_missing_env():
    assert "cpu: 500m" in draft_config_fix("api", "CPU throttling above 80%", SPEC).proposed_spec
    probe = draft_config_fix("api", "liveness probe failing", SPEC)
    assert "initialDelaySeconds: 10" in probe.proposed_spec and "timeoutSeconds: 2" in probe.proposed_spec
    env = draft_config_fix("api", "environment variable DATABASE_URL is not set", SPEC)
    assert "+      - name: DATABASE_URL" in env.diff
    nothing = draft_config_fix("api", "certificate expired", SPEC)
    assert nothing.diff == "" and "no mechanical change" in nothing.summary
    fragment = draft_config_fix("api", "OOMKilled", "")
    assert fragment.diff.startswith("--- /dev/null\n+++ b/api\n") and "memory" in fragment.diff


# -- named keys -----------------------------------------------------------------------------------------------


def test_named_keys_are_principals_and_unnamed_ones_their_hash_prefix():
    ring = Keyring(f"alice=alice-key,bob=bob-key:ws-b,carol=sha256:{hash_key('carol-key')},plain-key,padded==")
    alice, bob, carol = ring.authenticate("alice-key"), ring.authenticate("bob-key"), ring.authenticate("carol-key")
    assert alice is not None and alice.principal == "alice" and alice.workspace_id is None
    assert bob is not None and bob.principal == "bob" and bob.workspace_id == "ws-b"
    assert carol is not None and carol.principal == "carol"
    plain = ring.authenticate("plain-key")
    assert plain is not None and plain.principal == f"api-key:{hash_key('plain-key')[:12]}"
    # A base64 key's padding is not a name.
    padded = ring.authenticate("padded==")
    assert padded is not None and padded.name is None
    assert ring.authenticate("alice=alice-key") is None


# -- the RBAC manifests ---------------------------------------------------------------------------------------


def _rules(role: str) -> set[tuple[str, str, str]]:
    documents = [d for d in yaml.safe_load_all((ROOT / "infra" / "kubernetes" / "rbac.yaml").read_text()) if d]
    [found] = [d for d in documents if d["kind"] == "ClusterRole" and d["metadata"]["name"] == role]
    return {
        (group, resource, verb)
        for rule in found["rules"]
        for group in rule["apiGroups"]
        for resource in rule["resources"]
        for verb in rule["verbs"]
    }


def test_the_actions_role_grants_exactly_the_catalogs_requests():
    from aisre.remediation.adapters.kubernetes_cluster import REQUESTS

    sent = {(request.group, request.resource, request.verb) for request in REQUESTS.values()}
    assert _rules("aisre-actions") == sent


def test_the_reader_role_only_reads_and_never_secrets():
    rules = _rules("aisre-reader")
    assert {verb for _, _, verb in rules} == {"get", "list"}
    assert not any(resource == "secrets" for _, resource, _ in rules)
