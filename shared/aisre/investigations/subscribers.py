"""What investigations do when incidents publish (aisre/subscriptions.py names these)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from aisre.core.observability import logger
from aisre.core.scope import Scope

if TYPE_CHECKING:
    from aisre.incidents.model.incident import Incident


def investigate_new_incidents(scope: Scope, incidents: Sequence[Incident]) -> None:
    """Queue the investigation of new incidents when automatic investigation is on (AUTO_INVESTIGATE).

    Only a queued request, never the start itself: the alert's sender must not wait on an investigation,
    and the starter (investigations/service/starter.py) coalesces a storm into one investigation per group."""
    if not scope.settings.auto_investigate or not incidents:
        return
    from aisre.investigations.model.start_requests import request_for
    from aisre.investigations.providers import investigation_queue

    queue = scope.get(investigation_queue)
    if queue is None:
        logger.warning(
            "AUTO_INVESTIGATE is on but no INVESTIGATION_QUEUE_URL is set: new incidents are not investigated"
        )
        return
    queue.request([request_for(incident) for incident in incidents])


def remember_resolution(scope: Scope, resolved: tuple[Incident, str | None]) -> None:
    """A resolved incident, with how it was resolved, becomes knowledge for the next similar one."""
    from aisre.investigations.providers import similar_incidents

    incident, note = resolved
    try:
        scope.get(similar_incidents).index_incident(incident, resolution=note)
    except Exception:  # knowledge is best effort: the resolution itself already succeeded
        logger.exception("could not index resolved incident %s", incident.id)
