"""What investigations do when incidents publish (aisre/subscriptions.py names these)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aisre.core.observability import logger
from aisre.core.scope import Scope

if TYPE_CHECKING:
    from aisre.incidents.model.incident import Incident


def investigate_new_incident(scope: Scope, incident: Incident) -> None:
    """Start the investigation of a new incident when automatic investigation is on (AUTO_INVESTIGATE)."""
    settings = scope.settings
    if not (settings.auto_investigate and settings.investigation_state_machine_arn):
        return
    from aisre.investigations.providers import investigation_service

    scope.get(investigation_service).start_for(incident, trigger="incident_created")


def remember_resolution(scope: Scope, resolved: tuple[Incident, str | None]) -> None:
    """A resolved incident, with how it was resolved, becomes knowledge for the next similar one."""
    from aisre.investigations.providers import similar_incidents

    incident, note = resolved
    try:
        scope.get(similar_incidents).index_incident(incident, resolution=note)
    except Exception:  # knowledge is best effort: the resolution itself already succeeded
        logger.exception("could not index resolved incident %s", incident.id)
