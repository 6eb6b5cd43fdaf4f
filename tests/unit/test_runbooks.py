"""The built-in runbook catalog: coverage of the analyzer's rules, matching, ranking and step rendering."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from aisre.incidents.model.incident import Incident
from aisre.investigations.model.analysis.finding import Finding
from aisre.remediation.adapters.runbook_files import load_runbooks
from aisre.remediation.model.actions import CATALOG
from aisre.remediation.model.runbooks import RunbookMatch, render_steps

# The catalog as the platform loads it (remediation/runbooks/*.yaml).
RUNBOOK_CATALOG = load_runbooks()
RUNBOOKS = RUNBOOK_CATALOG.runbooks
get_runbook = RUNBOOK_CATALOG.get
match_runbooks = RUNBOOK_CATALOG.match
runbooks_for_rule = RUNBOOK_CATALOG.for_rule
RULES_DIR = Path(__file__).resolve().parents[2] / "shared" / "aisre" / "investigations" / "model" / "analysis" / "rules"
_RULE_NAME = re.compile(r'rule="([a-z_]+)"|_finding\(evidence, "([a-z_]+)"')

# The analyzer rule each runbook is expected to cover.
EXPECTED: dict[str, str] = {
    "oom_killed": "oom-recovery",
    "crash_loop": "crashloop-triage",
    "command_not_found": "crashloop-triage",
    "exec_format_error": "crashloop-triage",
    "shell_syntax_error": "crashloop-triage",
    "permission_denied": "crashloop-triage",
    "image_pull": "image-pull-failure",
    "container_config_error": "missing-config",
    "missing_env_var": "missing-config",
    "config_parse_error": "missing-config",
    "failing_probe": "probe-failure",
    "failed_scheduling": "pending-pod",
    "insufficient_resources": "pending-pod",
    "node_selector_mismatch": "pending-pod",
    "untolerated_taint": "pending-pod",
    "unbound_claim": "pending-pod",
    "volume_attach_failure": "pending-pod",
    "service_without_endpoints": "network-connectivity",
    "dependency_timeouts": "network-connectivity",
    "job_failed": "failed-job",
    "dns_failure": "dns-resolution",
    "connection_failure": "network-connectivity",
    "network_policy_blocks": "network-connectivity",
    "connection_exhaustion": "db-connection-exhaustion",
    "cpu_throttling": "cpu-throttling",
    "certificate_expired": "certificate-expiry",
    "certificate_invalid": "certificate-expiry",
    "rbac_forbidden": "rbac-forbidden",
    "recent_change": "bad-deploy-rollback",
    "node_pressure": "node-pressure",
    "node_pod_capacity": "node-pressure",
    "resource_overcommit": "node-pressure",
}
# Rules with no runbook on purpose: they are not failures an operator works through with kubectl.
# cloud_permission_denied: the fix is in the cloud's IAM, which no runbook of the catalog covers yet.
UNCOVERED = {"heartbeat_alert", "no_tools_available", "slow_operations", "slow_trace", "cloud_permission_denied"}

# The ids the diagnosis used before this catalog (investigation._PLAYBOOKS): they must all still exist.
LEGACY_PLAYBOOKS = {
    "oom_killed": "oom-recovery",
    "crash_loop": "crashloop-triage",
    "image_pull": "image-pull-failure",
    "container_config_error": "missing-config",
    "failing_probe": "probe-failure",
    "failed_scheduling": "pending-pod",
    "job_failed": "failed-job",
    "dns_failure": "dns-resolution",
    "connection_exhaustion": "db-connection-exhaustion",
    "cpu_throttling": "cpu-throttling",
}


def analyzer_rules() -> set[str]:
    names: set[str] = set()
    for path in RULES_DIR.glob("*.py"):
        for match in _RULE_NAME.finditer(path.read_text()):
            names.add(match.group(1) or match.group(2))
    return names


def incident(**overrides: Any) -> Incident:
    fields: dict[str, Any] = {
        "id": "inc-1",
        "workspace_id": "ws-1",
        "title": "KubePodCrashLooping",
        "severity": "critical",
        "source": "alertmanager",
        "provider": "alertmanager",
        "fingerprint": "fp",
        "created_at": datetime(2024, 1, 1, tzinfo=UTC),
        "namespace": "payments",
        "pod": "payments-api-7d9f8b6c5d-x2x9z",
        "deployment": "payments-api",
        "service": "payments",
    }
    fields.update(overrides)
    return Incident(**fields)


def finding(rule: str, confidence: float = 0.9) -> Finding:
    return Finding(rule=rule, root_cause=f"{rule} happened", confidence=confidence)


def ids(matches: list[RunbookMatch]) -> list[str]:
    return [m.runbook_id for m in matches]


# --- the catalog -------------------------------------------------------------------------------------


def test_catalog_has_the_expected_runbooks() -> None:
    assert set(RUNBOOKS) >= {
        "oom-recovery",
        "crashloop-triage",
        "image-pull-failure",
        "missing-config",
        "probe-failure",
        "pending-pod",
        "failed-job",
        "dns-resolution",
        "db-connection-exhaustion",
        "cpu-throttling",
        "certificate-expiry",
        "rbac-forbidden",
        "bad-deploy-rollback",
        "node-pressure",
    }
    for runbook_id, runbook in RUNBOOKS.items():
        assert runbook.id == runbook_id
        assert runbook.name and runbook.description and runbook.steps
        assert runbook.rules and (runbook.alertnames or runbook.keywords)


def test_the_analyzer_still_emits_every_rule_the_catalog_names() -> None:
    emitted = analyzer_rules()
    assert emitted, "no rule names found in the analyzer's rules package"
    named = {rule for runbook in RUNBOOKS.values() for rule in runbook.rules}
    assert named <= emitted, f"runbooks name rules the analyzer no longer emits: {sorted(named - emitted)}"


def test_every_analyzer_rule_is_covered_or_deliberately_left_out() -> None:
    uncovered = {rule for rule in analyzer_rules() if not runbooks_for_rule(rule)}
    assert uncovered <= UNCOVERED, f"new analyzer rules without a runbook: {sorted(uncovered - UNCOVERED)}"


@pytest.mark.parametrize(("rule", "runbook_id"), sorted(EXPECTED.items()))
def test_each_rule_maps_to_its_runbook(rule: str, runbook_id: str) -> None:
    assert runbook_id in runbooks_for_rule(rule)
    assert ids(match_runbooks([finding(rule)], "", {}))[0] == runbook_id


def test_the_previous_playbook_ids_are_preserved() -> None:
    for rule, runbook_id in LEGACY_PLAYBOOKS.items():
        assert runbooks_for_rule(rule) == (runbook_id,)


def test_action_steps_name_catalog_actions_and_follow_a_read_step() -> None:
    for runbook in RUNBOOKS.values():
        assert runbook.steps[0].action is None, f"{runbook.id} should read before it acts"
        assert runbook.actions, f"{runbook.id} has no action step"
        for step in runbook.steps:
            assert step.command, f"{runbook.id}: step {step.title!r} has no command"
            if step.action is not None:
                assert step.action in CATALOG, f"{runbook.id}: unknown action {step.action!r}"


def test_get_runbook() -> None:
    runbook = get_runbook("oom-recovery")
    assert runbook is not None and runbook.name
    assert get_runbook("no-such-runbook") is None


# --- matching ------------------------------------------------------------------------------------------


def test_alertname_alone_matches() -> None:
    matches = match_runbooks([], "KubePodCrashLooping", {})
    assert ids(matches)[0] == "crashloop-triage"
    assert matches[0].score < 0.5
    assert "KubePodCrashLooping" in matches[0].reason


def test_alertname_match_is_case_insensitive_and_whole_token() -> None:
    assert ids(match_runbooks([], "[FIRING:1] kubepodcrashlooping (payments)"))[0] == "crashloop-triage"
    assert "crashloop-triage" not in ids(match_runbooks([], "KubePodCrashLoopingX"))


@pytest.mark.parametrize(
    ("title", "runbook_id"),
    [
        ("KubeJobFailed", "failed-job"),
        ("CPUThrottlingHigh", "cpu-throttling"),
        ("KubeMemoryOvercommit", "node-pressure"),
        ("Pod payments-api OOMKilled", "oom-recovery"),
        ("Back-off pulling image: ImagePullBackOff", "image-pull-failure"),
    ],
)
def test_alert_keywords(title: str, runbook_id: str) -> None:
    assert runbook_id in ids(match_runbooks([], title))


def test_alertname_in_labels_matches() -> None:
    assert ids(match_runbooks([], "Something is wrong", {"alertname": "KubeJobFailed"}))[0] == "failed-job"


def test_reason_label_matches_as_a_word() -> None:
    matches = match_runbooks([], "Pod not healthy", {"reason": "CrashLoopBackOff"})
    assert "crashloop-triage" in ids(matches)


def test_workload_labels_do_not_match_words() -> None:
    # A workload called "dns-cache" says nothing about the failure.
    assert match_runbooks([], "", {"pod": "dns-cache-0", "namespace": "deploy", "service": "certificate"}) == []


def test_pod_not_ready_matches_several_runbooks() -> None:
    matched = set(ids(match_runbooks([], "KubePodNotReady")))
    assert {"probe-failure", "pending-pod", "image-pull-failure"} <= matched


def test_a_finding_beats_a_keyword() -> None:
    # The alert says crash loop, but the analyzer found the OOM kill behind it.
    matches = match_runbooks([finding("oom_killed", 0.5)], "KubePodCrashLooping")
    assert ids(matches)[:2] == ["oom-recovery", "crashloop-triage"]
    assert matches[0].score >= 0.5 > matches[1].score
    assert "oom_killed" in matches[0].reason


def test_more_confident_findings_rank_first() -> None:
    matches = match_runbooks([finding("dns_failure", 0.6), finding("rbac_forbidden", 0.95)])
    assert ids(matches) == ["rbac-forbidden", "dns-resolution"]
    assert matches[0].score == pytest.approx(0.975)


def test_finding_and_keyword_together_score_higher() -> None:
    alone = match_runbooks([finding("crash_loop", 0.8)])[0]
    both = match_runbooks([finding("crash_loop", 0.8)], "KubePodCrashLooping")[0]
    assert alone.runbook_id == both.runbook_id == "crashloop-triage"
    assert both.score > alone.score
    assert "KubePodCrashLooping" in both.reason


def test_several_findings_for_one_runbook_give_one_match_at_the_best_confidence() -> None:
    matches = match_runbooks([finding("certificate_invalid", 0.6), finding("certificate_expired", 0.9)])
    assert ids(matches) == ["certificate-expiry"]
    assert "certificate_expired" in matches[0].reason


def test_scores_stay_within_bounds() -> None:
    matches = match_runbooks([finding("crash_loop", 1.0)], "KubePodCrashLooping CrashLoopBackOff crash loop")
    assert all(0.0 < m.score <= 1.0 for m in matches)


def test_unknown_inputs_give_no_matches() -> None:
    assert match_runbooks([], "", {}) == []
    assert match_runbooks([], "", None) == []
    assert match_runbooks([finding("heartbeat_alert"), finding("made_up_rule")], "Watchdog", {"alertname": "Foo"}) == []
    assert match_runbooks([], "Something entirely unrelated happened", {"severity": "critical"}) == []


# --- rendering -----------------------------------------------------------------------------------------


def test_placeholders_are_filled_from_the_incident() -> None:
    runbook = RUNBOOKS["oom-recovery"]
    steps = render_steps(runbook, incident())
    text = "\n".join(steps)
    assert len(steps) == len(runbook.steps)
    assert "kubectl logs payments-api-7d9f8b6c5d-x2x9z -n payments --previous" in text
    assert "kubectl rollout undo deployment/payments-api -n payments" in text
    assert not re.search(r"\{(namespace|pod|deployment|service)\}", text)
    # kubectl's own jsonpath braces are left alone.
    assert "{.status.containerStatuses[*].lastState}" in text
    assert "[action: rollback_deployment]" in text


def test_service_placeholder_and_label_fallbacks() -> None:
    steps = render_steps(RUNBOOKS["probe-failure"], incident(service="payments-svc"))
    assert any("kubectl get endpoints payments-svc -n payments" in s for s in steps)
    bare = incident(
        namespace=None, pod=None, deployment=None, service=None, labels={"namespace": "shop", "deployment": "cart"}
    )
    steps = render_steps(RUNBOOKS["probe-failure"], bare)
    assert any("kubectl get endpoints cart -n shop" in s for s in steps)


def test_job_and_node_placeholders_come_from_labels() -> None:
    job_steps = "\n".join(render_steps(RUNBOOKS["failed-job"], incident(labels={"job_name": "nightly-report"})))
    assert "kubectl describe job nightly-report -n payments" in job_steps
    node_steps = "\n".join(render_steps(RUNBOOKS["node-pressure"], incident(labels={"node": "ip-10-0-1-2"})))
    assert "kubectl describe node ip-10-0-1-2" in node_steps


def test_missing_values_stay_visible_placeholders() -> None:
    steps = "\n".join(render_steps(RUNBOOKS["crashloop-triage"], incident(pod=None, deployment=None, namespace=None)))
    assert "kubectl describe pod <pod> -n <namespace>" in steps
    assert "<deployment>" in steps
    assert "{" not in steps.replace("{.", "")


def test_unsafe_values_are_not_substituted() -> None:
    steps = "\n".join(render_steps(RUNBOOKS["crashloop-triage"], incident(pod="x; rm -rf /", namespace="$(whoami)")))
    assert "rm -rf" not in steps and "whoami" not in steps
    assert "kubectl describe pod <pod> -n <namespace>" in steps


def test_render_without_an_incident_and_to_dict() -> None:
    runbook = RUNBOOKS["bad-deploy-rollback"]
    assert any("<deployment>" in step for step in render_steps(runbook))
    as_dict = runbook.to_dict(incident())
    assert as_dict["id"] == "bad-deploy-rollback"
    assert as_dict["name"] == runbook.name
    assert as_dict["steps"] == render_steps(runbook, incident())
    assert as_dict["actions"] == ["rollback_deployment"]


def test_a_broken_runbook_file_is_named_when_the_catalog_loads(tmp_path: Path) -> None:
    (tmp_path / "01-good.yaml").write_text("id: good\nname: Good\ndescription: d\nsteps: [{title: Look}]\n")
    (tmp_path / "02-broken.yaml").write_text("id: broken\nname: Broken\nsteps: [{use: nowhere}]\n")
    with pytest.raises(ValueError, match=r"02-broken\.yaml"):
        load_runbooks(tmp_path)
    (tmp_path / "02-broken.yaml").unlink()
    assert list(load_runbooks.__wrapped__(tmp_path).runbooks) == ["good"]


def test_runbook_ids_are_unique_in_a_catalog(tmp_path: Path) -> None:
    for name in ("01-a.yaml", "02-b.yaml"):
        (tmp_path / name).write_text("id: same\nname: N\ndescription: d\nsteps: [{title: Look}]\n")
    with pytest.raises(ValueError, match="used twice"):
        load_runbooks.__wrapped__(tmp_path)
