"""Slack's buttons, acted on as the person who clicked: the request's signature checked over its raw body (no
secret configured: nothing is acted on), then Acknowledge acknowledges the incident and Approve approves the
action (which carries it out), each as `slack:<username>`. A refusal (already acknowledged, the approver asked
for it, expired) is told to that person, not raised: Slack shows a failed request as a bare warning sign.

Slack ignores the body of its block_actions request's answer, so what the person is told is also POSTed to the
interaction's response_url (through the guarded client, best effort: acting is what matters)."""

from __future__ import annotations

import http.client
import json
import time
from collections.abc import Callable, Mapping
from typing import Any

from aisre.core.errors import (
    AisreError,
    DependencyUnavailableError,
    NotFoundError,
    RateLimitedError,
    StorageError,
)
from aisre.core.observability import logger
from aisre.notifications.errors import SlackNotConfiguredError
from aisre.notifications.model.slack_interactions import (
    ACKNOWLEDGE_ACTION,
    APPROVE_ACTION,
    ButtonValue,
    SlackReply,
    parse_interaction,
)
from aisre.notifications.model.slack_signature import SIGNATURE_HEADER, TIMESTAMP_HEADER, verify_slack_signature
from aisre.notifications.ports import ApprovalDecider, IncidentAcknowledger, OutboundHttp

RESPONSE_URL_TIMEOUT_SECONDS = 5.0
# Failures of the platform itself: answered as such (503, Slack may show its warning), never dressed as a refusal.
_OWN_FAILURES = (StorageError, DependencyUnavailableError)


class SlackInteractions:
    def __init__(
        self,
        incidents: IncidentAcknowledger,
        approvals: ApprovalDecider,
        signing_secret: Callable[[], str],
        http: OutboundHttp | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._incidents = incidents
        self._approvals = approvals
        self._signing_secret = signing_secret
        self._http = http
        self._clock = clock

    def handle(self, body: bytes, headers: Mapping[str, str]) -> SlackReply:
        """Verify, read and act on one interactivity request. Raises the Signature*Errors and
        SlackNotConfiguredError (401), PayloadError (400), ValidationError (422) for a request not to act on."""
        secret = self._signing_secret()
        if not secret:
            raise SlackNotConfiguredError(
                "Slack interactivity is not configured: set SLACK_SIGNING_SECRET to the Slack app's signing secret",
                field="SLACK_SIGNING_SECRET",
            )
        lowered = {key.lower(): value for key, value in headers.items()}
        verify_slack_signature(
            secret, body, lowered.get(TIMESTAMP_HEADER.lower()), lowered.get(SIGNATURE_HEADER.lower()), self._clock()
        )
        interaction = parse_interaction(body)
        if interaction.type != "block_actions":
            return SlackReply()
        action = next((a for a in interaction.actions if a.action_id in (ACKNOWLEDGE_ACTION, APPROVE_ACTION)), None)
        if action is None:
            return SlackReply()  # a link button, or a button that is not ours: acknowledged, nothing to do
        target = ButtonValue.decode(action.value)
        principal = interaction.user.principal
        if action.action_id == ACKNOWLEDGE_ACTION:
            reply = self._acknowledge(target, principal)
        else:
            reply = self._approve(target, principal)
        self._tell(interaction.response_url, reply)
        return reply

    def _acknowledge(self, target: ButtonValue, principal: str) -> SlackReply:
        if not target.incident_id:
            return SlackReply("This button names no incident: nothing was acknowledged.")
        try:
            self._incidents.acknowledge(target.workspace_id, target.incident_id, actor=principal)
        except _OWN_FAILURES:
            raise
        except NotFoundError:
            return SlackReply(f"Incident {target.incident_id} no longer exists: nothing was acknowledged.")
        except AisreError as refused:
            return SlackReply(f"Incident {target.incident_id} was not acknowledged: {refused.message}")
        return SlackReply(f"Incident {target.incident_id} acknowledged by {principal}.", response_type="in_channel")

    def _approve(self, target: ButtonValue, principal: str) -> SlackReply:
        if not target.approval_id:
            return SlackReply("This button names no approval: nothing was approved.")
        try:
            _approval, outcome = self._approvals.approve(
                target.workspace_id, target.approval_id, principal, authenticated=True, comment="approved in Slack"
            )
        except _OWN_FAILURES:
            raise
        except NotFoundError:
            return SlackReply(f"Approval {target.approval_id} no longer exists: nothing was approved.")
        except RateLimitedError as limited:
            return SlackReply(
                f"Approval {target.approval_id} was not carried out yet: {limited.message} "
                f"(try again in {limited.retry_after_seconds} s)."
            )
        except AisreError as refused:
            return SlackReply(f"Approval {target.approval_id} was not approved: {refused.message}")
        return SlackReply(
            f"Approval {target.approval_id} approved by {principal}. {_outcome_text(outcome)}".strip(),
            response_type="in_channel",
        )

    def _tell(self, response_url: str | None, reply: SlackReply) -> None:
        if not response_url or self._http is None or not reply.text:
            return
        body = json.dumps(reply.body()).encode("utf-8")
        try:
            answer = self._http.post(
                response_url, body, {"Content-Type": "application/json"}, timeout=RESPONSE_URL_TIMEOUT_SECONDS
            )
        except (AisreError, OSError, ValueError, http.client.HTTPException) as failed:
            logger.warning("slack response_url not reached", extra={"error": f"{type(failed).__name__}: {failed}"})
            return
        if not 200 <= answer.status_code < 300:
            logger.warning("slack response_url refused the reply", extra={"status": answer.status_code})


def _outcome_text(outcome: Any) -> str:
    """The action's outcome in a sentence (an ActionOutcome's status and message, a workflow's resumption)."""
    message = getattr(outcome, "message", None)
    status = getattr(outcome, "status", None)
    status_text = getattr(status, "value", status)
    if isinstance(status_text, str) and isinstance(message, str):
        return f"{status_text}: {message}"
    return message if isinstance(message, str) else ""
