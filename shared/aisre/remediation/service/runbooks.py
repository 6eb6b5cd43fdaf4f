"""RunbookService: the runbooks a workspace has (the platform's catalog and its own saved ones), those an incident
calls for, a runbook drafted from the workspace's history, and saving one (approved draft, or imported YAML).

Saved runbooks live in the table, per workspace (`table://<table>/WS#<workspace>#RUNBOOK/RB#<id>` is the
`saved_path` the API answers, in place of a file): a Lambda has no file system to keep them in, and the
workspace's key is what isolates them. A saved runbook cannot take a built-in's id.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from aisre.core.clock import utc_now
from aisre.core.errors import ConflictError, NotFoundError, ValidationError
from aisre.incidents.model.incident import Incident
from aisre.remediation.model.conclusions import TimelineFinding
from aisre.remediation.model.runbook_documents import (
    RUNBOOK_ID,
    RunbookSource,
    StoredRunbook,
    parse_runbook,
    runbook_document,
)
from aisre.remediation.model.runbook_drafts import (
    PastIncident,
    RunbookDraft,
    draft_runbook,
    normalize_pattern,
    of_service,
    shows_pattern,
)
from aisre.remediation.model.runbooks import Runbook, RunbookCatalog, RunbookMatch, RunbookStep
from aisre.remediation.ports import IncidentHistory, RunbookStore

# How far back a draft looks: the workspace's latest incidents, a page at a time, and of those the service's
# latest, whose timelines and actions are read (two requests each).
HISTORY_PAGE = 100
HISTORY_SCAN = 1000
HISTORY_OF_SERVICE = 50
# A diagnosis is among an incident's latest events unless an alert storm buried it; then it is not read.
DIAGNOSIS_EVENTS = 50
DIAGNOSIS_EVENT = "diagnosis_completed"
MAX_SAVE_ATTEMPTS = 5


@dataclass(frozen=True)
class MatchedRunbook:
    match: RunbookMatch
    stored: StoredRunbook


class RunbookService:
    def __init__(
        self,
        builtin: RunbookCatalog,
        store: RunbookStore,
        incidents: IncidentHistory,
        *,
        read_yaml: Callable[[str], Any],
        shared_steps: Mapping[str, RunbookStep],
        table_name: str,
        clock: Callable[[], datetime] = utc_now,
    ):
        self._builtin = builtin
        self._store = store
        self._incidents = incidents
        self._read_yaml = read_yaml
        self._shared_steps = shared_steps
        self._table_name = table_name
        self._clock = clock

    # -- the catalog -----------------------------------------------------------------------------------------

    def builtin(self) -> list[StoredRunbook]:
        return [StoredRunbook(runbook, RunbookSource.BUILTIN) for runbook in self._builtin.runbooks.values()]

    def all(self, workspace_id: str) -> list[StoredRunbook]:
        """Built-in first (catalog order), then the workspace's saved runbooks by id. A saved runbook whose id a
        later version of the catalog took is hidden by the built-in one, as `get` finds the built-in first."""
        saved = sorted(self._store.saved_runbooks(workspace_id), key=lambda item: item.runbook.id)
        return self.builtin() + [item for item in saved if self._builtin.get(item.runbook.id) is None]

    def get(self, workspace_id: str, runbook_id: str) -> StoredRunbook:
        runbook = self._builtin.get(runbook_id)
        if runbook is not None:
            return StoredRunbook(runbook, RunbookSource.BUILTIN)
        # An id no runbook can have (nor a key hold) is simply not there.
        saved = self._store.get_saved(workspace_id, runbook_id) if RUNBOOK_ID.match(runbook_id) else None
        if saved is None:
            raise NotFoundError(f"runbook {runbook_id} not found", field="runbook_id")
        return saved

    def match(self, workspace_id: str | None, incident_id: str) -> tuple[Incident, list[MatchedRunbook]]:
        """The runbooks an incident calls for, best first, each with why: its alert's names and words, the words
        of its latest diagnosis, and (for a runbook written for some services) its service."""
        incident = self._incidents.get(workspace_id, incident_id)
        entries = {entry.runbook.id: entry for entry in self.all(incident.workspace_id)}
        catalog = RunbookCatalog(entry.runbook for entry in entries.values())
        service = incident.service or incident.deployment or incident.labels.get("service")
        summary, findings = self._diagnosed(incident)
        matches = catalog.match(findings, incident.title, incident.labels, diagnosis=summary or "", service=service)
        return incident, [MatchedRunbook(match, entries[match.runbook_id]) for match in matches]

    def saved_path(self, stored: StoredRunbook) -> str:
        return f"table://{self._table_name}/WS#{stored.workspace_id}#RUNBOOK/RB#{stored.runbook.id}"

    # -- drafting from history -------------------------------------------------------------------------------

    def generate(self, workspace_id: str, service: str, pattern: str, min_incidents: int) -> RunbookDraft:
        """A runbook drafted from the workspace's incidents of `service` that show `pattern`; a 422 naming how many
        were found when fewer than `min_incidents`. Nothing is saved: approving the draft does."""
        if not normalize_pattern(pattern):
            raise ValidationError("pattern must contain letters or digits", field="pattern")
        history = [
            past
            for past in self._history_of(workspace_id, service)
            if shows_pattern(past.incident, past.diagnosis, pattern)
        ]
        if len(history) < min_incidents:
            found = len(history)
            raise ValidationError(
                f"found {found} incident{'s' if found != 1 else ''} of {service} showing {pattern!r} among the "
                f"workspace's latest {HISTORY_SCAN}; min_incidents is {min_incidents}",
                field="min_incidents",
                details={"occurrences": found, "min_incidents": min_incidents},
            )
        history = [
            PastIncident(past.incident, past.diagnosis, tuple(self._incidents.actions_of(past.incident)))
            for past in history
        ]
        draft = draft_runbook(service, pattern, history, self._builtin)
        parse_runbook(runbook_document(draft.runbook))  # a draft is a runbook its approval can save as it is
        return draft

    def _history_of(self, workspace_id: str, service: str) -> list[PastIncident]:
        incidents: list[Incident] = []
        cursor: str | None = None
        for _page in range(HISTORY_SCAN // HISTORY_PAGE):
            page = self._incidents.list_incidents(workspace_id, None, HISTORY_PAGE, cursor)
            incidents += [incident for incident in page.items if of_service(incident, service)]
            cursor = page.cursor
            if cursor is None or len(incidents) >= HISTORY_OF_SERVICE:
                break
        return [PastIncident(incident, self._diagnosis(incident)) for incident in incidents[:HISTORY_OF_SERVICE]]

    def _diagnosis(self, incident: Incident) -> str | None:
        return self._diagnosed(incident)[0]

    def _diagnosed(self, incident: Incident) -> tuple[str | None, list[TimelineFinding]]:
        """The summary and the finding rules of the incident's latest diagnosis, as the investigation put them on
        the timeline (a finding rule matches a runbook strongly, the summary's words weakly)."""
        for event in self._incidents.recent_events(incident, DIAGNOSIS_EVENTS):
            summary = event.payload.get("summary")
            if event.event_type == DIAGNOSIS_EVENT and isinstance(summary, str):
                return summary, TimelineFinding.all_of(event.payload.get("findings"))
        return None, []

    # -- saving ----------------------------------------------------------------------------------------------

    def save(self, workspace_id: str, runbook: Runbook, source: RunbookSource, principal: str) -> StoredRunbook:
        """Save (or replace) one of the workspace's runbooks; a built-in's id is a 409."""
        if self._builtin.get(runbook.id) is not None:
            raise ConflictError(
                f"runbook {runbook.id} is built in: save yours under another id", field="id", details={"id": runbook.id}
            )
        for _attempt in range(MAX_SAVE_ATTEMPTS):
            current = self._store.get_saved(workspace_id, runbook.id)
            stored = StoredRunbook(
                runbook=runbook,
                source=source,
                workspace_id=workspace_id,
                saved_by=principal,
                saved_at=self._clock(),
                version=(current.version if current else 0) + 1,
            )
            if self._store.save_runbook(stored):
                return stored
        raise ConflictError(f"runbook {runbook.id} kept changing; save it again", field="id")

    def save_document(
        self,
        workspace_id: str,
        document: Any,
        source: RunbookSource,
        principal: str,
        *,
        field_prefix: str = "",
        steps_field: str = "steps",
    ) -> StoredRunbook:
        """Validate `document` (422 naming the field) and save it."""
        runbook = parse_runbook(
            document, shared_steps=self._shared_steps, field_prefix=field_prefix, steps_field=steps_field
        )
        return self.save(workspace_id, runbook, source, principal)

    def import_yaml(self, workspace_id: str, text: str, principal: str) -> StoredRunbook:
        """A runbook sent as YAML (the built-in files' format), validated as they are: 422 naming the field."""
        return self.save_document(workspace_id, self._read_yaml(text), RunbookSource.IMPORTED, principal)
