"""Autonomy's parts, each built on first ask (core/scope.py): its configuration (from the settings), its decision
store, and the cycle service over incidents, the diagnosis reader and the action service. The other capabilities'
providers are imported inside: the actions function's router imports this module, and loads none of them until a
cycle is asked for."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from aisre.core.scope import Scope

if TYPE_CHECKING:
    from aisre.autonomy.model.config import AutonomyConfig
    from aisre.autonomy.service.bot import BotService
    from aisre.autonomy.service.cycle import AutonomyService
    from aisre.autonomy.store.decision_store import DynamoDecisionStore

# Decisions outlive any incident's automatic handling, then TTL removes them.
DECISION_RETENTION = timedelta(days=30)


def autonomy_config(scope: Scope) -> AutonomyConfig:
    from aisre.autonomy.model.config import load_config

    settings = scope.settings
    return load_config(
        enabled=settings.autonomy_enabled,
        approval_required=settings.autonomy_approval_required,
        default_dry_run=settings.autonomy_dry_run,
        poll_interval_seconds=settings.autonomy_poll_interval_seconds,
        max_incidents_per_cycle=settings.autonomy_max_incidents_per_cycle,
        autonomous_actions=settings.autonomy_actions,
        allowed_namespaces=settings.autonomy_allowed_namespaces,
        deployment_profile=settings.profile,
    )


def decision_store(scope: Scope) -> DynamoDecisionStore:
    from aisre.autonomy.store.decision_store import DynamoDecisionStore
    from aisre.core.providers import configured_table

    scope.get(configured_table)
    return DynamoDecisionStore(DECISION_RETENTION)


def autonomy_service(scope: Scope) -> AutonomyService:
    from aisre.autonomy.service.cycle import AutonomyService
    from aisre.incidents.providers import incident_service
    from aisre.investigations.providers import diagnosis_reader
    from aisre.remediation.providers import action_service

    return AutonomyService(
        scope.get(autonomy_config),
        scope.get(incident_service),
        scope.get(diagnosis_reader),
        scope.get(action_service),
        scope.get(decision_store),
        verify_seconds=scope.settings.action_verify_seconds,
    )


def bot_service(scope: Scope) -> BotService:
    """The bot: incidents, the diagnosis reader, the question engine over the read-only tools, the action service."""
    from aisre.autonomy.service.bot import BotService
    from aisre.core.observability import logger
    from aisre.incidents.model.incident import Incident
    from aisre.incidents.providers import incident_service
    from aisre.investigations.model.investigation import issue_from_incident
    from aisre.investigations.providers import diagnosis_reader, tool_runner
    from aisre.investigations.service.ask import QuestionEngine
    from aisre.remediation.providers import action_service

    runner = scope.get(tool_runner)

    class _Questions:
        def answer(self, message: str, incident: Incident) -> str:
            try:
                return QuestionEngine(runner).answer(message, issue_from_incident(incident)).text
            except Exception:  # a tool that breaks loses the reading, not the diagnosis and proposals
                logger.exception("the bot's question was not answered", extra={"incident_id": incident.id})
                return "The investigation engine could not answer now; the diagnosis above is the latest."

    return BotService(scope.get(incident_service), scope.get(diagnosis_reader), _Questions(), scope.get(action_service))
