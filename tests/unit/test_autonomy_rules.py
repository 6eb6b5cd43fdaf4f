"""Autonomy's pure parts and its cycle over stand-ins: the configuration (and a misspelt allow-list said, not
dropped), which suggestions a cycle may take and why it leaves the others, decisions that keep a suggestion from
being acted on twice, the cycle's bounds (incidents, time) and what becomes of refusals and spent rate limits; and
the local schedule's rate expressions and events."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from aisre.autonomy.errors import AutonomyDisabledError
from aisre.autonomy.model.config import AutonomyConfig, Mode, load_config, names
from aisre.autonomy.model.cycle import (
    MAX_SKIPS_REPORTED,
    CycleReport,
    Decision,
    DecisionStatus,
    Skip,
    choose,
    not_decided,
)
from aisre.autonomy.service.cycle import AutonomyService
from aisre.core.errors import StorageError, ValidationError
from aisre.core.paging import Page
from aisre.incidents.model.incident import Incident
from aisre.investigations.model.investigation import Diagnosis
from aisre.local.provision import ScheduleEventSource
from aisre.local.schedules import rate_seconds, scheduled_event
from aisre.remediation.errors import ActionRateLimitedError, PolicyRefusedError
from aisre.remediation.model.approvals import Approval
from aisre.remediation.model.execution import ActionOutcome, OutcomeStatus
from aisre.remediation.model.requests import ActionRequest, suggestion_key

NOW = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
ON = AutonomyConfig(enabled=True)


def suggestion(name: str = "restart_pod", namespace: str = "shop", target: str = "api-1", **judged: Any):
    arguments = (
        {"namespace": namespace, "pod_name": target}
        if name == "restart_pod"
        else {"namespace": namespace, "deployment_name": target}
    )
    return {"name": name, "arguments": arguments, "executable": True, "allowed": True, **judged}


# -- configuration ------------------------------------------------------------------------------------------------


def test_the_defaults_are_the_seeds_off_and_dry() -> None:
    config = AutonomyConfig()
    assert (config.enabled, config.approval_required, config.default_dry_run) == (False, True, True)
    assert config.autonomous_actions == ("restart_pod",) and config.allowed_namespaces == ()
    assert config.mode is Mode.DRY_RUN


def test_the_mode_follows_dry_run_then_approval() -> None:
    assert AutonomyConfig(default_dry_run=False).mode is Mode.APPROVAL
    assert AutonomyConfig(default_dry_run=False, approval_required=False).mode is Mode.EXECUTE


def test_settings_lists_are_comma_separated_names() -> None:
    assert names(" restart_pod, ,scale_deployment,restart_pod ") == ("restart_pod", "scale_deployment")


@pytest.mark.parametrize(
    ("actions", "namespaces", "field", "words"),
    [
        ("restart_pods", "", "AUTONOMY_ACTIONS", "unknown action(s) restart_pods"),
        ("suggest_config_fix", "", "AUTONOMY_ACTIONS", "advice only"),
        ("restart_pod", "Kube-System", "AUTONOMY_ALLOWED_NAMESPACES", "not valid Kubernetes namespace names"),
    ],
)
def test_a_misspelt_allow_list_is_said_naming_its_setting(actions: str, namespaces: str, field: str, words: str):
    with pytest.raises(ValidationError) as raised:
        load_config(
            enabled=True,
            approval_required=True,
            default_dry_run=True,
            poll_interval_seconds=60,
            max_incidents_per_cycle=20,
            autonomous_actions=actions,
            allowed_namespaces=namespaces,
            deployment_profile="local",
        )
    assert raised.value.field == field and words in raised.value.message


# -- what a cycle may take ----------------------------------------------------------------------------------------


def test_only_listed_executable_allowed_unasked_suggestions_in_allowed_namespaces_are_chosen() -> None:
    config = AutonomyConfig(enabled=True, autonomous_actions=("restart_pod", "rollback_deployment"),
                            allowed_namespaces=("shop",))  # fmt: skip
    suggested = [
        suggestion(),
        suggestion("scale_deployment"),
        suggestion("rollback_deployment", executable=False),
        suggestion(target="api-2", allowed=False, policy_reason="namespace shop is denied"),
        suggestion(namespace="web"),
        suggestion(target="api-3", approval_id="apr-1", approval_status="rejected"),
        {"name": "restart_pod", "arguments": "not a mapping", "executable": True, "allowed": True},
    ]
    chosen, skipped = choose("inc-1", suggested, config)
    assert [(item.action, item.arguments["pod_name"]) for item in chosen] == [("restart_pod", "api-1")]
    assert chosen[0].suggestion_key == suggestion_key("restart_pod", {"namespace": "shop", "pod_name": "api-1"})
    reasons = [skip.reason for skip in skipped]
    assert reasons[0].startswith("scale_deployment is not an autonomous action")
    assert reasons[1] == "rollback_deployment is advice only"
    assert reasons[2] == "the policy refused it when diagnosed: namespace shop is denied"
    assert reasons[3] == "namespace web is not among AUTONOMY_ALLOWED_NAMESPACES (shop)"
    assert reasons[4] == "approval apr-1 was asked for it (rejected): a person decides"
    assert reasons[5] == "restart_pod has no arguments to act on"
    unlisted, _ = choose("inc-1", suggested[-1:], AutonomyConfig(enabled=True))
    assert unlisted == []


def decision(status: DecisionStatus, lease: timedelta, **extra: Any) -> Decision:
    return Decision(
        workspace_id="ws", incident_id="inc-1", suggestion_key="k", mode=Mode.DRY_RUN, action="restart_pod",
        arguments={}, cycle_id="auto-1", status=status, claimed_at=NOW - timedelta(minutes=1),
        lease_until=NOW + lease, **extra,
    )  # fmt: skip


def test_a_decision_holds_when_done_or_within_its_lease() -> None:
    assert decision(DecisionStatus.DONE, -timedelta(days=1)).holds(NOW)
    assert decision(DecisionStatus.CLAIMED, timedelta(seconds=1)).holds(NOW)
    assert not decision(DecisionStatus.CLAIMED, timedelta(0)).holds(NOW)  # its cycle died: another takes it
    assert decision(DecisionStatus.DEFERRED, timedelta(minutes=5)).holds(NOW)
    assert not decision(DecisionStatus.DEFERRED, -timedelta(seconds=1)).holds(NOW)


def test_chosen_suggestions_a_decision_holds_are_skipped_with_why() -> None:
    chosen, _ = choose("inc-1", [suggestion(), suggestion(target="api-2")], ON)
    held = decision(DecisionStatus.DONE, timedelta(0), outcome={"status": "dry_run"})
    left, skipped = not_decided("inc-1", chosen, {chosen[0].suggestion_key: held}, NOW)
    assert [item.arguments["pod_name"] for item in left] == ["api-2"]
    assert skipped[0].reason == "autonomy acted on it already (dry_run: dry_run, cycle auto-1)"


def test_a_report_lists_a_bounded_number_of_skips_and_counts_them_all() -> None:
    report = CycleReport(cycle_id="c", trigger="t", mode=Mode.DRY_RUN, started_at=NOW)
    report.skip([Skip(incident_id=f"inc-{n}", reason="r") for n in range(MAX_SKIPS_REPORTED + 5)])
    assert len(report.skipped) == MAX_SKIPS_REPORTED and report.skipped_count == MAX_SKIPS_REPORTED + 5


# -- a cycle over stand-ins ---------------------------------------------------------------------------------------


def incident(number: int, group_id: str | None = None) -> Incident:
    return Incident(
        id=f"inc-{number}", workspace_id="ws", title=f"t{number}", severity="critical", source="test",
        provider="webhook", fingerprint=f"f{number}", created_at=NOW, namespace="shop", group_id=group_id,
    )  # fmt: skip


class Incidents:
    def __init__(self, incidents: list[Incident]):
        self.incidents = incidents

    def list_incidents(self, workspace_id: str | None, state: Any, limit: int, cursor: str | None) -> Page[Incident]:
        start = int(cursor or 0)
        page = self.incidents[start : start + limit]
        more = start + limit < len(self.incidents)
        return Page(items=page, cursor=str(start + limit) if more else None)


class Diagnoses:
    def __init__(self, suggested: dict[str, list[dict[str, Any]]], investigated: dict[str, str] | None = None):
        self.suggested = suggested
        self.investigated = investigated or {}

    def finished_diagnosis(self, incident: Incident) -> Diagnosis | None:
        if incident.id not in self.suggested:
            return None
        return Diagnosis(
            incident_id=self.investigated.get(incident.id, incident.id), summary="s", root_cause=None, confidence=1,
            suggested_actions=self.suggested[incident.id],
        )  # fmt: skip


class Remediation:
    def __init__(self, fail: Exception | None = None):
        self.executed: list[tuple[str, ActionRequest, str, str | None]] = []
        self.fail = fail

    def execute(
        self, workspace_id: str, request: ActionRequest, principal: str, *, idempotency_key: str | None = None,
        approval: Approval | None = None,
    ) -> ActionOutcome:  # fmt: skip
        if self.fail is not None:
            raise self.fail
        self.executed.append((workspace_id, request, principal, idempotency_key))
        status = OutcomeStatus.DRY_RUN if request.dry_run else OutcomeStatus.SUCCESS
        return ActionOutcome(status=status, action=request.action, message="done", dry_run=request.dry_run)

    def request_approval(self, *args: Any, **kwargs: Any) -> Approval:
        raise AssertionError("not in these modes")


class Decisions:
    def __init__(self, lose_claims: bool = False):
        self.stored: dict[tuple[str, str, str], Decision] = {}
        self.lose_claims = lose_claims

    def decisions_of(self, workspace_id: str, incident_id: str, mode: str) -> dict[str, Decision]:
        return {k[2]: d for k, d in self.stored.items() if k[0] == incident_id and k[1] == mode}

    def claim(self, decision: Decision, now: datetime) -> bool:
        key = (decision.incident_id, decision.mode.value, decision.suggestion_key)
        held = self.stored.get(key)
        if self.lose_claims or (held is not None and held.holds(now)):
            return False
        self.stored[key] = decision
        return True

    def finish(self, decision: Decision) -> None:
        self.stored[(decision.incident_id, decision.mode.value, decision.suggestion_key)] = decision


def service(
    config: AutonomyConfig, incidents: list[Incident], diagnoses: Diagnoses, remediation: Remediation,
    decisions: Decisions | None = None,
) -> AutonomyService:  # fmt: skip
    return AutonomyService(config, Incidents(incidents), diagnoses, remediation, decisions or Decisions(),
                           verify_seconds=1.0, clock=lambda: NOW)  # fmt: skip


def test_a_disabled_autonomy_runs_no_cycle() -> None:
    remediation = Remediation()
    with pytest.raises(AutonomyDisabledError):
        service(AutonomyConfig(), [incident(1)], Diagnoses({"inc-1": [suggestion()]}), remediation).run_cycle(
            None, "t", 10
        )
    assert remediation.executed == []


def test_a_cycle_acts_as_autonomy_on_at_most_n_incidents_and_examines_a_bounded_number() -> None:
    incidents = [incident(n) for n in range(60)]
    suggested = {f"inc-{n}": [suggestion(target=f"api-{n}")] for n in range(0, 60, 2)}
    remediation = Remediation()
    config = AutonomyConfig(enabled=True, max_incidents_per_cycle=3)
    report = service(config, incidents, Diagnoses(suggested), remediation).run_cycle("ws", "t", 10)
    assert report.incidents_acted_on == 3 and len(remediation.executed) == 3 and not report.complete
    assert {principal for _, _, principal, _ in remediation.executed} == {"autonomy"}
    assert all(request.dry_run and not request.approved for _, request, _, _ in remediation.executed)
    assert report.incidents_examined == 5  # three acted on, two with no diagnosis between them
    few = AutonomyConfig(enabled=True, max_incidents_per_cycle=1)
    empty = service(few, incidents, Diagnoses({}), Remediation()).run_cycle("ws", "t", 10)
    assert empty.incidents_examined == 5 and empty.stopped_because == "examined 5 open incidents"


def test_a_real_run_is_keyed_so_that_a_retried_cycle_finds_the_first_outcome() -> None:
    remediation = Remediation()
    config = AutonomyConfig(enabled=True, default_dry_run=False, approval_required=False)
    service(config, [incident(1)], Diagnoses({"inc-1": [suggestion()]}), remediation).run_cycle("ws", "t", 10)
    [(_, request, _, key)] = remediation.executed
    assert not request.dry_run and not request.approved
    assert key == f"autonomy:inc-1:{suggestion_key('restart_pod', suggestion()['arguments'])}"


def test_no_action_starts_that_the_cycle_has_no_time_for() -> None:
    remediation = Remediation()
    config = AutonomyConfig(enabled=True, default_dry_run=False, approval_required=False)
    report = service(config, [incident(1)], Diagnoses({"inc-1": [suggestion()]}), remediation).run_cycle(
        "ws", "t", 2.5
    )  # a real action needs its verification (1 s here) and 2 s more
    assert remediation.executed == [] and report.stopped_because == "the cycle's time is spent"


def test_a_grouped_child_is_left_to_its_roots_diagnosis() -> None:
    remediation = Remediation()
    diagnoses = Diagnoses({"inc-2": [suggestion()]}, investigated={"inc-2": "inc-1"})
    report = service(ON, [incident(2, group_id="inc-1")], diagnoses, remediation).run_cycle("ws", "t", 10)
    assert remediation.executed == [] and "group's root inc-1" in report.skipped[0].reason


def test_a_refusal_is_final_and_a_spent_rate_limit_is_deferred_until_it_frees() -> None:
    refused = Remediation(PolicyRefusedError.of("default", ["namespace shop is denied"]))
    decisions = Decisions()
    report = service(ON, [incident(1)], Diagnoses({"inc-1": [suggestion()]}), refused, decisions).run_cycle(
        "ws", "t", 10
    )
    assert report.actions[0].status == "refused"
    [stored] = decisions.stored.values()
    assert stored.status is DecisionStatus.DONE and stored.outcome == {
        "status": "refused", "message": "refused by policy default: namespace shop is denied",
        "approval_id": None, "execution_id": None,
    }  # fmt: skip

    limited = Remediation(ActionRateLimitedError.of("default", "rate limit: 3 restart_pod in shop", 120))
    decisions = Decisions()
    report = service(ON, [incident(1)], Diagnoses({"inc-1": [suggestion()]}), limited, decisions).run_cycle(
        "ws", "t", 10
    )
    assert report.actions[0].status == "rate_limited"
    [stored] = decisions.stored.values()
    assert stored.status is DecisionStatus.DEFERRED and stored.lease_until == NOW + timedelta(seconds=120)

    broken = Remediation(StorageError("the table failed"))
    decisions = Decisions()
    service(ON, [incident(1)], Diagnoses({"inc-1": [suggestion()]}), broken, decisions).run_cycle("ws", "t", 10)
    [stored] = decisions.stored.values()
    assert stored.status is DecisionStatus.DEFERRED and stored.lease_until == NOW + timedelta(minutes=1)


def test_a_suggestion_another_cycle_claimed_is_not_acted_on() -> None:
    remediation = Remediation()
    report = service(
        ON, [incident(1)], Diagnoses({"inc-1": [suggestion()]}), remediation, Decisions(lose_claims=True)
    ).run_cycle("ws", "t", 10)
    assert remediation.executed == [] and report.actions == [] and report.incidents_acted_on == 0


# -- the local schedule -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("expression", "seconds"),
    [
        ("rate(1 minute)", 60.0),
        ("rate(5 minutes)", 300.0),
        ("rate(2 hours)", 7200.0),
        ("rate(1 day)", 86400.0),
        ("rate(1 minutes)", None),
        ("rate(2 minute)", None),
        ("rate(0 minutes)", None),
        ("cron(0 12 * * ? *)", None),
    ],
)
def test_rate_expressions_as_eventbridge_reads_them(expression: str, seconds: float | None) -> None:
    assert rate_seconds(expression) == seconds


def test_a_rule_sends_its_input_else_a_scheduled_event() -> None:
    with_input = ScheduleEventSource(name="Cycle", expression="rate(1 minute)", input='{"autonomy": "run_cycle"}')
    assert scheduled_event(with_input, "arn:rule", "us-east-1") == {"autonomy": "run_cycle"}
    plain = scheduled_event(ScheduleEventSource(name="Tick", expression="rate(1 minute)"), "arn:rule", "us-east-1")
    assert (plain["detail-type"], plain["source"], plain["resources"], plain["detail"]) == (
        "Scheduled Event",
        "aws.events",
        ["arn:rule"],
        {},
    )
    json.dumps(plain)  # what Lambda would be handed: JSON
