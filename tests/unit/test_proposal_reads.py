"""What a diagnosis shows beside its suggestions, in its pure parts: the approval asked for each (latest first, its
status as of now) and the rate limits spent, counted as execution counts its slots."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from aisre.investigations.model.investigation import Diagnosis, with_approvals
from aisre.remediation.model.approvals import Approval, ApprovalStatus, SuggestionApproval, approvals_by_suggestion
from aisre.remediation.model.policy import Policy, RateLimit
from aisre.remediation.model.rate_limits import busy_slots
from aisre.remediation.model.requests import suggestion_key
from aisre.remediation.service.proposal_reads import ProposalReads

NOW = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
RESTART = {"namespace": "shop", "pod_name": "checkout-1"}


def approval(approval_id: str, *, key: str | None, status: ApprovalStatus = ApprovalStatus.PENDING, **extra: Any):
    return Approval(
        id=approval_id,
        workspace_id="ws",
        status=status,
        action="restart_pod",
        arguments=RESTART,
        incident_id="inc-1",
        suggestion_key=key,
        requested_by="alice",
        requested_at=NOW - timedelta(minutes=30),
        expires_at=extra.pop("expires_at", NOW + timedelta(minutes=30)),
        **extra,
    )


def test_the_latest_approval_of_a_suggestion_wins_with_its_status_as_of_now() -> None:
    key = suggestion_key("restart_pod", RESTART)
    found = approvals_by_suggestion(
        [
            approval("apr-old", key=key, status=ApprovalStatus.REJECTED),
            approval("apr-lapsed", key=key, expires_at=NOW - timedelta(seconds=1)),
            approval("apr-keyless", key=None),
        ],
        NOW,
    )
    assert found == {key: SuggestionApproval(approval_id="apr-lapsed", status=ApprovalStatus.EXPIRED)}


def test_a_diagnosis_shows_the_approval_beside_the_suggestion_it_was_asked_for() -> None:
    diagnosis = Diagnosis(
        incident_id="inc-1",
        summary="s",
        root_cause=None,
        confidence=0.5,
        suggested_actions=[
            {"name": "restart_pod", "arguments": RESTART, "allowed": True},
            {"name": "restart_pod", "arguments": {**RESTART, "pod_name": "checkout-2"}, "allowed": True},
            {"name": "bogus", "arguments": "not a mapping"},
        ],
    )
    links = {suggestion_key("restart_pod", RESTART): SuggestionApproval(approval_id="apr-1", status="approved")}
    shown = with_approvals(diagnosis, links).suggested_actions
    assert [(item["approval_id"], item["approval_status"]) for item in shown] == [
        ("apr-1", "approved"),
        (None, None),
        (None, None),
    ]
    assert shown[0]["allowed"] is True  # the rest of the suggestion as it was
    assert "approval_id" not in diagnosis.suggested_actions[0]  # the stored diagnosis is unchanged


def test_busy_slots_are_those_taken_within_the_window_and_within_the_limit() -> None:
    taken = {0: NOW - timedelta(minutes=59), 1: NOW - timedelta(minutes=61), 5: NOW}
    assert busy_slots(taken, 3, timedelta(hours=1), NOW) == {0: NOW - timedelta(minutes=59)}


class _Slots:
    def __init__(self, taken: dict[str, dict[int, datetime]]):
        self.taken = taken
        self.asked: list[str] = []

    def taken_slots(self, workspace_id: str, scope_key: str) -> dict[int, datetime]:
        self.asked.append(scope_key)
        return self.taken.get(scope_key, {})


def test_spent_rate_limits_count_the_busy_slots_of_each_limited_action_once() -> None:
    policy = Policy(rate_limits={"restart_pod": RateLimit(max_executions=3, window_minutes=60)})
    slots = _Slots({"restart_pod:shop": {0: NOW - timedelta(minutes=5), 1: NOW - timedelta(minutes=90)}})
    reads = ProposalReads(None, slots, policy, clock=lambda: NOW)  # type: ignore[arg-type]
    spent = reads.spent_rate_limits(
        "ws", [("restart_pod", "shop"), ("restart_pod", "shop"), ("restart_pod", "web"), ("scale_deployment", "shop")]
    )
    assert spent == {"restart_pod:shop": 1, "restart_pod:web": 0}
    assert slots.asked == ["restart_pod:shop", "restart_pod:web"]  # scale_deployment has no limit here: not read
