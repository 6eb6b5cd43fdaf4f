"""The bot's reply to a message about an incident: its diagnosis, the answer in words, and the proposals."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, Field


class BotDiagnosis(BaseModel):
    summary: str
    root_cause: str | None
    confidence: float


class Proposal(BaseModel):
    """A suggested action of the diagnosis, as the policy judged it, and what came of it when applied."""

    action: str
    arguments: dict[str, Any] = Field(default_factory=dict)
    executable: bool = False
    allowed: bool = False
    requires_approval: bool = True
    reasons: list[str] = Field(default_factory=list)
    applied: bool = False
    outcome: dict[str, Any] | None = None

    @property
    def appliable(self) -> bool:
        """Whether auto_apply may carry it out: a write the policy lets run without a person's approval."""
        return self.executable and self.allowed and not self.requires_approval

    def why_not_applied(self) -> str:
        if not self.allowed:
            return "refused by the policy"
        if not self.executable:
            return "advice only: nothing to apply"
        if self.requires_approval:
            return "needs a person's approval"
        return "not applied"


class BotReply(BaseModel):
    incident_id: str
    answer: str
    diagnosis: BotDiagnosis | None
    proposals: list[Proposal]
    auto_apply: bool


def proposal_of(suggested: Mapping[str, Any]) -> Proposal:
    """A diagnosis' suggested action (its policy verdict at diagnosis time) as a proposal. Missing verdict fields
    read as the cautious answer: not allowed, approval required."""
    allowed = bool(suggested.get("allowed", False))
    requires_approval = bool(suggested.get("approval_required", True))
    reason = str(suggested.get("policy_reason") or "")
    reasons = [reason] if reason and (not allowed or requires_approval) else []
    if not allowed and not reasons:
        reasons = ["the policy refused it"]
    status = suggested.get("approval_status")
    if suggested.get("approval_id") and requires_approval:
        reasons.append(f"approval {suggested['approval_id']} was asked for it ({status}): decide it at /approvals")
    arguments = suggested.get("arguments")
    return Proposal(
        action=str(suggested.get("name", "")),
        arguments=dict(arguments) if isinstance(arguments, Mapping) else {},
        executable=bool(suggested.get("executable", False)),
        allowed=allowed,
        requires_approval=requires_approval,
        reasons=reasons,
    )


def _arguments_text(arguments: Mapping[str, Any]) -> str:
    return ", ".join(f"{key}={value}" for key, value in arguments.items() if value not in ("", None))


def proposal_line(proposal: Proposal) -> str:
    head = f"- {proposal.action} ({_arguments_text(proposal.arguments)})"
    if proposal.applied and proposal.outcome is not None:
        return f"{head}: applied. {proposal.outcome.get('message', '')}".rstrip()
    if proposal.outcome is not None:
        return f"{head}: not applied ({proposal.outcome.get('status')}): {proposal.outcome.get('message', '')}"
    if proposal.appliable:
        return f"{head}: the policy allows it without approval"
    reasons = f": {'; '.join(proposal.reasons)}" if proposal.reasons else ""
    return f"{head}: {proposal.why_not_applied()}{reasons}"


def apply_summary(proposals: list[Proposal], auto_apply: bool) -> str:
    """What auto_apply did, or would do, said once after the proposals."""
    appliable = [p for p in proposals if p.appliable]
    if not auto_apply:
        if appliable:
            return (
                f"Nothing was applied (auto_apply is false). {len(appliable)} of these the policy allows without "
                "approval: ask again with auto_apply true to apply them."
            )
        return "Nothing was applied (auto_apply is false); each action needs a person's approval or is advice only."
    applied = [p for p in proposals if p.applied]
    held = [p for p in proposals if not p.appliable]
    parts = [f"Applied {len(applied)} of {len(proposals)} proposed actions."]
    if held:
        needing = [p.action for p in held if p.allowed and p.executable and p.requires_approval]
        if needing:
            parts.append(
                f"Not applied, the policy requires approval for: {', '.join(needing)} (ask for it at POST /approvals, "
                "or approve the pending approval at /approvals/{id}/approve)."
            )
        refused = [p.action for p in held if not p.allowed]
        if refused:
            parts.append(f"Refused by the policy: {', '.join(refused)}.")
    return " ".join(parts)
