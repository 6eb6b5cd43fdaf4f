"""The action catalog and the policy engine: every rule allowed and refused, loading, and properties."""

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aisre.core.errors import ValidationError
from aisre.remediation.model.actions import CATALOG, BlastRadius, EvaluatedAction, SuggestedAction, argument_problems
from aisre.remediation.model.policy import (
    DEFAULT_POLICY,
    WITHIN_GUARDRAILS,
    Policy,
    evaluate,
    evaluate_all,
    load_policy,
    rate_limit_key,
)

NO_HISTORY: dict[str, int] = {}


def restart(namespace: str = "production", pod: str = "payments-api-7d8f9c6b5-x2k4m") -> SuggestedAction:
    return SuggestedAction(name="restart_pod", arguments={"namespace": namespace, "pod_name": pod})


def scale(replicas: int, current: int | None = 3, namespace: str = "production") -> SuggestedAction:
    arguments: dict[str, Any] = {"namespace": namespace, "deployment_name": "payments-api", "replicas": replicas}
    if current is not None:
        arguments["current_replicas"] = current
    return SuggestedAction(name="scale_deployment", arguments=arguments)


def config_fix() -> SuggestedAction:
    return SuggestedAction(
        name="suggest_config_fix",
        arguments={"component": "payments-api", "issue": "memory limit too low", "current_spec": "limits: 512Mi"},
    )


def permissive(**overrides: Any) -> Policy:
    """A policy that lets everything through unapproved, so each test switches on just its rule."""
    fields: dict[str, Any] = {
        "approval_required": False,
        "blast_radius_ceiling": "cluster",
        "dry_run": False,
    }
    return Policy(**(fields | overrides))


# --- the catalog ---


def test_catalog_holds_the_four_actions_with_their_blast_radius():
    assert {name: spec.blast_radius for name, spec in CATALOG.items()} == {
        "restart_pod": BlastRadius.SINGLE_POD,
        "scale_deployment": BlastRadius.DEPLOYMENT,
        "rollback_deployment": BlastRadius.DEPLOYMENT,
        "suggest_config_fix": BlastRadius.NONE,
    }
    assert not CATALOG["suggest_config_fix"].executable
    assert not CATALOG["rollback_deployment"].auto_executable


def test_argument_schema_reports_missing_unexpected_and_mistyped_arguments():
    problems = argument_problems(
        CATALOG["scale_deployment"], {"namespace": "production", "replicas": "5", "force": True}
    )
    assert problems == [
        "unexpected argument 'force' for scale_deployment",
        "missing required argument 'deployment_name' for scale_deployment",
        "argument 'replicas' must be an integer, got str",
    ]


def test_optional_argument_may_be_left_out():
    arguments = {"namespace": "production", "deployment_name": "payments-api"}
    assert argument_problems(CATALOG["rollback_deployment"], arguments) == []
    assert argument_problems(CATALOG["rollback_deployment"], arguments | {"revision": 0}) == [
        "argument 'revision' must be at least 1, got 0"
    ]


def test_boolean_is_not_an_integer_argument():
    assert evaluate(scale(True), DEFAULT_POLICY, NO_HISTORY).violations == [  # type: ignore[arg-type]
        "argument 'replicas' must be an integer, got bool"
    ]


@pytest.mark.parametrize("namespace", ["Kube-System", "kube-system ", "a/b", "", "x" * 64])
def test_namespace_that_kubernetes_would_refuse_is_rejected(namespace: str):
    result = evaluate(restart(namespace=namespace), permissive(), NO_HISTORY)
    assert not result.allowed
    assert result.policy_reason == f"argument 'namespace' is not a valid Kubernetes namespace: {namespace!r}"


def test_empty_text_argument_is_rejected_unless_the_schema_allows_it():
    arguments = {"component": " ", "issue": "too little memory", "current_spec": ""}
    result = evaluate(SuggestedAction(name="suggest_config_fix", arguments=arguments), DEFAULT_POLICY, NO_HISTORY)
    assert result.violations == ["argument 'component' must not be empty"]


# --- the default policy, as the diagnosis shows it ---


def test_default_policy_restart_pod_matches_the_diagnosis_shape():
    result = evaluate(restart(), DEFAULT_POLICY, NO_HISTORY)
    assert result.model_dump(mode="json", exclude={"violations"}) == {
        "name": "restart_pod",
        "description": "Restart one pod so its controller can recreate it.",
        "arguments": {"namespace": "production", "pod_name": "payments-api-7d8f9c6b5-x2k4m"},
        "executable": True,
        "auto_executable": True,
        "allowed": True,
        "approval_required": True,
        "dry_run": True,
        "blast_radius": "single_pod",
        "policy_name": "default",
        "policy_reason": "Action is within guardrails",
    }
    assert result.violations == []


def test_default_policy_fields():
    assert DEFAULT_POLICY == load_policy(None) == load_policy("{}") == Policy()
    assert DEFAULT_POLICY.denied_namespaces == ("kube-system", "kube-public", "kube-node-lease")
    assert DEFAULT_POLICY.allowed_namespaces == ()
    assert set(DEFAULT_POLICY.allowed_actions) == set(CATALOG)
    assert DEFAULT_POLICY.dry_run and DEFAULT_POLICY.approval_required
    assert DEFAULT_POLICY.auto_approve == ()
    assert DEFAULT_POLICY.blast_radius_ceiling is BlastRadius.SINGLE_POD


# --- each rule, refused and allowed ---


def test_unknown_action_is_refused_with_a_reason():
    result = evaluate(SuggestedAction(name="delete_cluster", arguments={}), DEFAULT_POLICY, NO_HISTORY)
    assert not result.allowed
    assert result.policy_reason == "unknown action 'delete_cluster'"
    assert result.blast_radius is BlastRadius.UNKNOWN
    assert not result.executable


def test_action_outside_allowed_actions_is_refused():
    policy = permissive(name="restarts-only", allowed_actions=["restart_pod"])
    assert evaluate(restart(), policy, NO_HISTORY).allowed
    result = evaluate(scale(4), policy, NO_HISTORY)
    assert not result.allowed
    assert result.policy_reason == "action scale_deployment is not allowed by policy restarts-only"


@pytest.mark.parametrize("namespace", ["kube-system", "kube-public", "kube-node-lease"])
def test_denied_namespace_is_refused(namespace: str):
    result = evaluate(restart(namespace=namespace), permissive(), NO_HISTORY)
    assert not result.allowed
    assert result.policy_reason == f"namespace {namespace} is denied"


def test_allowed_namespaces_restrict_to_the_list():
    policy = permissive(allowed_namespaces=["production", "staging"])
    assert evaluate(restart(namespace="staging"), policy, NO_HISTORY).allowed
    result = evaluate(restart(namespace="payments"), policy, NO_HISTORY)
    assert not result.allowed
    assert result.policy_reason == "namespace payments is not among the allowed namespaces (production, staging)"


def test_denied_wins_over_allowed():
    policy = permissive(allowed_namespaces=["kube-system"])
    assert evaluate(restart(namespace="kube-system"), policy, NO_HISTORY).policy_reason == (
        "namespace kube-system is denied"
    )


def test_replicas_above_the_maximum_are_refused():
    result = evaluate(scale(50, current=25), permissive(), NO_HISTORY)
    assert not result.allowed
    assert result.policy_reason == "replicas 50 above the maximum 20"
    assert evaluate(scale(20, current=12), permissive(), NO_HISTORY).allowed


def test_replicas_below_the_minimum_are_refused():
    result = evaluate(scale(0, current=1), permissive(), NO_HISTORY)
    assert result.policy_reason == "replicas 0 below the minimum 1"
    assert evaluate(scale(0, current=1), permissive(replicas={"min": 0}), NO_HISTORY).allowed


def test_scaling_by_more_than_the_change_factor_needs_approval():
    policy = permissive()
    assert not evaluate(scale(6, current=3), policy, NO_HISTORY).approval_required
    up = evaluate(scale(7, current=3), policy, NO_HISTORY)
    assert up.allowed and up.approval_required
    assert up.policy_reason == "scaling from 3 to 7 replicas is more than a 2x change: approval required"
    down = evaluate(scale(2, current=5), policy, NO_HISTORY)
    assert down.allowed and down.approval_required


def test_scaling_without_the_current_count_needs_approval():
    result = evaluate(scale(4, current=None), permissive(), NO_HISTORY)
    assert result.allowed and result.approval_required
    assert result.policy_reason.startswith("current replicas unknown")


def test_rate_limit_refuses_once_the_window_is_full():
    history = {rate_limit_key("restart_pod", "production"): 3}
    result = evaluate(restart(), DEFAULT_POLICY, history)
    assert not result.allowed
    assert result.policy_reason == "rate limit: 3 restart_pod in production in the last 60 minutes (max 3)"
    assert evaluate(restart(), DEFAULT_POLICY, {rate_limit_key("restart_pod", "production"): 2}).allowed
    # Counts are per namespace and per action.
    assert evaluate(restart(namespace="staging"), DEFAULT_POLICY, history).allowed
    assert evaluate(scale(4), DEFAULT_POLICY, history).allowed


def test_action_without_a_rate_limit_is_not_counted():
    policy = permissive(rate_limits={})
    assert evaluate(restart(), policy, {rate_limit_key("restart_pod", "production"): 1000}).allowed


def test_every_refusal_is_listed_and_the_first_is_the_reason():
    policy = permissive(allowed_actions=["restart_pod"])
    result = evaluate(scale(50, namespace="kube-system"), policy, NO_HISTORY)
    assert result.violations == [
        "action scale_deployment is not allowed by policy default",
        "namespace kube-system is denied",
        "replicas 50 above the maximum 20",
    ]
    assert result.policy_reason == result.violations[0]


def test_approval_is_required_by_default_and_lifted_by_auto_approve():
    policy = Policy(auto_approve=["restart_pod"])
    result = evaluate(restart(), policy, NO_HISTORY)
    assert result.allowed and not result.approval_required
    assert result.policy_reason == WITHIN_GUARDRAILS
    assert evaluate(restart(), DEFAULT_POLICY, NO_HISTORY).approval_required


def test_blast_radius_above_the_ceiling_always_needs_approval():
    policy = Policy(auto_approve=["scale_deployment"])
    result = evaluate(scale(4), policy, NO_HISTORY)
    assert result.allowed and result.approval_required
    assert result.policy_reason == "blast radius deployment is above the ceiling single_pod: approval required"
    raised = Policy(auto_approve=["scale_deployment"], blast_radius_ceiling=BlastRadius.DEPLOYMENT)
    assert not evaluate(scale(4), raised, NO_HISTORY).approval_required


def test_rollback_always_needs_approval():
    rollback = SuggestedAction(
        name="rollback_deployment", arguments={"namespace": "production", "deployment_name": "payments-api"}
    )
    result = evaluate(rollback, permissive(auto_approve=["rollback_deployment"]), NO_HISTORY)
    assert result.allowed and result.approval_required
    assert result.policy_reason == "rollback_deployment is never executed automatically: approval required"


def test_config_fix_is_advice_only():
    result = evaluate(config_fix(), permissive(), NO_HISTORY)
    assert result.allowed and not result.executable and not result.approval_required
    assert result.dry_run
    assert result.blast_radius is BlastRadius.NONE
    assert result.policy_reason == "suggest_config_fix is advice only: nothing is executed"


def test_dry_run_follows_the_policy():
    assert evaluate(restart(), DEFAULT_POLICY, NO_HISTORY).dry_run
    assert not evaluate(restart(), Policy(dry_run=False), NO_HISTORY).dry_run


def test_evaluate_all_spends_the_rate_limit_across_the_batch():
    history = {rate_limit_key("restart_pod", "production"): 1}
    results = evaluate_all([restart(pod=f"api-{n}") for n in range(4)] + [restart("staging")], DEFAULT_POLICY, history)
    assert [r.allowed for r in results] == [True, True, False, False, True]
    assert results[2].policy_reason == "rate limit: 3 restart_pod in production in the last 60 minutes (max 3)"
    assert history == {rate_limit_key("restart_pod", "production"): 1}, "the caller's counts are not modified"


# --- loading a policy document ---


def test_policy_loads_from_json_and_from_a_dict():
    document = {
        "name": "prod-strict",
        "allowed_actions": ["restart_pod", "suggest_config_fix"],
        "allowed_namespaces": ["production"],
        "replicas": {"min": 2, "max": 10, "max_change_factor": 1.5},
        "rate_limits": {"restart_pod": {"max_executions": 1, "window_minutes": 30}},
        "dry_run": False,
        "auto_approve": ["restart_pod"],
        "blast_radius_ceiling": "deployment",
    }
    from_json = load_policy(json.dumps(document))
    assert from_json == load_policy(document)
    assert from_json.replicas.max == 10
    assert from_json.rate_limits["restart_pod"].window_minutes == 30
    assert from_json.blast_radius_ceiling is BlastRadius.DEPLOYMENT
    assert load_policy(from_json.model_dump_json()) == from_json


@pytest.mark.parametrize(
    ("document", "field", "fragment"),
    [
        ({"replicas": {"max": "lots"}}, "replicas.max", "valid integer"),
        ({"replicas": {"min": 5, "max": 2}}, "replicas.max", "max 2 is below min 5"),
        ({"replicas": {"max_change_factor": 0.5}}, "replicas.max_change_factor", "greater than or equal to 1"),
        ({"allowed_actions": ["restart_pod", "reboot_node"]}, "allowed_actions", "unknown action(s) reboot_node"),
        ({"auto_approve": ["drain"]}, "auto_approve", "unknown action(s) drain"),
        ({"rate_limits": {"restart_pod": {"max_executions": 3}}}, "rate_limits.restart_pod.window_minutes", "Field"),
        ({"denied_namespaces": ["Kube-System"]}, "denied_namespaces", "'Kube-System'"),
        ({"blast_radius_ceiling": "galaxy"}, "blast_radius_ceiling", "single_pod"),
        ({"dry_runn": False}, "dry_runn", "Extra inputs"),
        ({"name": ""}, "name", "at least 1 character"),
    ],
)
def test_bad_policy_field_is_named(document: dict[str, Any], field: str, fragment: str):
    with pytest.raises(ValidationError) as raised:
        load_policy(json.dumps(document))
    assert raised.value.field == field
    assert fragment in raised.value.message
    assert field in raised.value.message


@pytest.mark.parametrize("document", ["{not json", "[1, 2]", "null"])
def test_policy_document_that_is_no_json_object_is_refused(document: str):
    with pytest.raises(ValidationError) as raised:
        load_policy(document)
    assert raised.value.field is None
    assert "policy document" in raised.value.message


# --- properties ---

namespaces = st.from_regex(r"[a-z0-9]([-a-z0-9]{0,20}[a-z0-9])?", fullmatch=True)
policies = st.builds(
    permissive,
    dry_run=st.booleans(),
    approval_required=st.booleans(),
    auto_approve=st.lists(st.sampled_from(sorted(CATALOG)), unique=True),
    blast_radius_ceiling=st.sampled_from(list(BlastRadius)),
)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(), children, max_size=3),
    max_leaves=8,
)


@given(policy=policies, replicas=st.integers(), current=st.none() | st.integers(min_value=0, max_value=100))
def test_replicas_outside_bounds_are_never_allowed_without_approval(policy: Policy, replicas: int, current: int | None):
    result = evaluate(scale(replicas, current=current), policy, NO_HISTORY)
    if not policy.replicas.min <= replicas <= policy.replicas.max:
        assert not (result.allowed and not result.approval_required)


@given(
    policy=policies,
    name=st.sampled_from(sorted(CATALOG)),
    namespace=st.sampled_from(["kube-system", "kube-public", "kube-node-lease"]),
    extra=st.dictionaries(st.sampled_from(["pod_name", "deployment_name", "replicas"]), json_values),
)
def test_action_in_a_denied_namespace_is_never_allowed(
    policy: Policy, name: str, namespace: str, extra: dict[str, Any]
):
    action = SuggestedAction(name=name, arguments=extra | {"namespace": namespace})
    assert not evaluate(action, policy, NO_HISTORY).allowed


@given(
    policy=policies,
    name=st.sampled_from([*sorted(CATALOG), "unknown_action"]),
    arguments=st.dictionaries(
        st.sampled_from(["namespace", "pod_name", "deployment_name", "replicas", "current_replicas", "revision"])
        | st.text(max_size=10),
        json_values,
    ),
    history=st.dictionaries(st.text(max_size=30), st.integers(min_value=0, max_value=10)),
)
def test_evaluate_never_raises_on_arbitrary_arguments(
    policy: Policy, name: str, arguments: dict[str, Any], history: dict[str, int]
):
    result = evaluate(SuggestedAction(name=name, arguments=arguments), policy, history)
    assert isinstance(result, EvaluatedAction)
    assert result.allowed == (not result.violations)


@given(policy=policies, action=st.sampled_from([restart(), scale(4), scale(50), config_fix(), restart("kube-system")]))
def test_dry_run_is_true_unless_the_policy_says_otherwise(policy: Policy, action: SuggestedAction):
    result = evaluate(action, policy, NO_HISTORY)
    if policy.dry_run or not result.allowed or not result.executable:
        assert result.dry_run
    assert evaluate(action, policy.model_copy(update={"dry_run": True}), NO_HISTORY).dry_run
