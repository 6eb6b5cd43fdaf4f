"""What investigations do when incidents publish (aisre/subscriptions.py names these)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from aisre.core.observability import logger
from aisre.core.scope import Scope

if TYPE_CHECKING:
    from aisre.incidents.model.incident import Incident


def investigate_new_incidents(scope: Scope, incidents: Sequence[Incident]) -> None:
    """Queue the investigation of new incident groups when automatic investigation is on (AUTO_INVESTIGATE).

    Only a queued request, never the start itself: the alert's sender must not wait on an investigation.
    One per group, from its root: a grouped child's diagnosis is its root's, so a storm of one service is
    one investigation (investigations/service/starter.py takes the queue)."""
    if not scope.settings.auto_investigate:
        return
    from aisre.investigations.model.start_requests import requests_for
    from aisre.investigations.providers import investigation_queue

    requests = requests_for(incidents)
    if not requests:
        return
    queue = scope.get(investigation_queue)
    if queue is None:
        logger.warning("AUTO_INVESTIGATE is on but INVESTIGATION_QUEUE_URL is not set: new incidents go uninvestigated")
        return
    queue.request(requests)


def remember_resolution(scope: Scope, resolved: tuple[Incident, str | None]) -> None:
    """A resolved incident, with how it was resolved, becomes knowledge for the next similar one."""
    from aisre.investigations.providers import similar_incidents

    incident, note = resolved
    try:
        scope.get(similar_incidents).index_incident(incident, resolution=note)
    except Exception:  # knowledge is best effort: the resolution itself already succeeded
        logger.exception("could not index resolved incident %s", incident.id)
