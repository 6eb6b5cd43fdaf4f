"""BotService (seed 001 POST /bot/interact): answers a message about an incident from its diagnosis and the
investigation engine, proposes the diagnosis' suggested actions with the policy's verdicts, and applies them only
when asked (auto_apply) and only those the policy lets run without a person's approval, through ActionService as
the caller."""

from __future__ import annotations

from aisre.autonomy.model.bot import BotDiagnosis, BotReply, Proposal, apply_summary, proposal_line, proposal_of
from aisre.autonomy.ports import Diagnoses, IncidentReader, Questions, Remediation
from aisre.core.errors import AisreError, ForbiddenError, RateLimitedError, ValidationError
from aisre.core.observability import logger
from aisre.incidents.model.incident import Incident
from aisre.remediation.model.execution import OutcomeStatus
from aisre.remediation.model.requests import action_request, suggestion_key


class BotService:
    def __init__(
        self, incidents: IncidentReader, diagnoses: Diagnoses, questions: Questions, remediation: Remediation
    ) -> None:
        self._incidents = incidents
        self._diagnoses = diagnoses
        self._questions = questions
        self._remediation = remediation

    def interact(self, workspace_id: str, message: str, incident_id: str, auto_apply: bool, principal: str) -> BotReply:
        incident = self._incidents.get(workspace_id, incident_id)  # another workspace's incident: 404
        found = self._diagnoses.finished_diagnosis(incident)
        proposals = [proposal_of(item) for item in found.suggested_actions] if found else []
        if auto_apply:
            for proposal in proposals:
                if proposal.appliable:
                    self._apply(incident, proposal, principal)
        diagnosis = (
            BotDiagnosis(summary=found.summary, root_cause=found.root_cause, confidence=found.confidence)
            if found
            else None
        )
        lines = [_diagnosis_text(incident, diagnosis), "", self._questions.answer(message, incident)]
        if proposals:
            lines += [
                "",
                "Proposed actions:",
                *(proposal_line(p) for p in proposals),
                "",
                apply_summary(proposals, auto_apply),
            ]
        elif auto_apply:
            lines += ["", "Nothing was applied: the diagnosis proposes no action."]
        return BotReply(
            incident_id=incident.id,
            answer="\n".join(lines).strip(),
            diagnosis=diagnosis,
            proposals=proposals,
            auto_apply=auto_apply,
        )

    def _apply(self, incident: Incident, proposal: Proposal, principal: str) -> None:
        """Carry the proposal out (not a dry run, never approved on the caller's behalf: the policy judges it again
        now, and what it holds for a person waits for one)."""
        try:
            request = action_request(
                proposal.action, proposal.arguments, incident_id=incident.id, dry_run=False, approved=False
            )
            outcome = self._remediation.execute(
                incident.workspace_id,
                request,
                principal,
                # The same message sent again (a retried request, a repeated click) finds the first outcome.
                idempotency_key=f"bot:{incident.id}:{suggestion_key(proposal.action, proposal.arguments)}",
            )
        except (ValidationError, ForbiddenError) as refused:
            proposal.outcome = {"status": "refused", "message": refused.message}
            return
        except RateLimitedError as limited:
            proposal.outcome = {"status": "rate_limited", "message": limited.message}
            return
        except AisreError as error:
            logger.warning("bot action not applied", extra={"incident_id": incident.id, "error": error.message})
            proposal.outcome = {"status": "error", "message": error.message}
            return
        proposal.outcome = outcome.public()
        proposal.applied = outcome.status is OutcomeStatus.SUCCESS
        if outcome.status is OutcomeStatus.PENDING_APPROVAL:
            # The policy, judging with what the cluster showed, held it for a person after all.
            proposal.requires_approval = True
            if outcome.policy_reason:
                proposal.reasons = [outcome.policy_reason]


def _diagnosis_text(incident: Incident, diagnosis: BotDiagnosis | None) -> str:
    if diagnosis is None:
        return f"{incident.id} ({incident.title}) has no finished diagnosis yet: what follows is read now."
    # The analyzer's root cause is often its summary: said once.
    root_cause = (diagnosis.root_cause or "").strip()
    cause = f" Root cause: {root_cause.rstrip('.')}." if root_cause and root_cause != diagnosis.summary.strip() else ""
    return f"Diagnosis of {incident.id} (confidence {diagnosis.confidence:.0%}): {diagnosis.summary}{cause}"
