"""The investigation starter: one investigation per incident group (requested by its root), redeliveries
harmless, failures per incident, and a bounded hold on the batch while the executions it started run."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from aisre.core.errors import NotFoundError
from aisre.incidents.model.incident import Incident, TimelineEvent
from aisre.investigations.model.investigation import Investigation, InvestigationStatus
from aisre.investigations.model.start_requests import InvestigationRequest, coalesce, requests_for
from aisre.investigations.service.starter import InvestigationStarter

NOW = datetime(2026, 12, 2, 4, 0, tzinfo=UTC)


def incident(incident_id: str, group_id: str | None = None) -> Incident:
    return Incident.model_validate(
        {"id": incident_id, "workspace_id": "ws", "title": f"alert of {incident_id}", "severity": "high",
         "state": "open", "source": "prometheus", "provider": "generic", "fingerprint": f"fp-{incident_id}",
         "created_at": NOW, "group_id": group_id}
    )  # fmt: skip


class Store:
    def __init__(self) -> None:
        self.investigations: dict[str, Investigation] = {}
        self.links: dict[str, list[str]] = {}

    def create(self, investigation: Investigation) -> None:
        self.investigations[investigation.id] = investigation
        self.links.setdefault(investigation.incident_id, []).insert(0, investigation.id)

    def save(self, investigation: Investigation) -> None:
        self.investigations[investigation.id] = investigation

    def get(self, workspace_id: str | None, investigation_id: str) -> Investigation:
        return self.investigations[investigation_id]

    def of_incident(self, workspace_id: str, incident_id: str, limit: int = 20) -> list[str]:
        return self.links.get(incident_id, [])[:limit]


class Incidents:
    def __init__(self, *known: Incident) -> None:
        self.known = {item.id: item for item in known}
        self.events: list[TimelineEvent] = []

    def get(self, workspace_id: str | None, incident_id: str) -> Incident:
        if incident_id not in self.known:
            raise NotFoundError(f"incident {incident_id} not found")
        return self.known[incident_id]

    def record_event(self, workspace_id: str, event: TimelineEvent) -> None:
        self.events.append(event)


class Workflow:
    """Executions that run for `runs_for` status checks, then end; `refuse` names roots whose start fails."""

    def __init__(self, runs_for: int = 0, refuse: frozenset[str] = frozenset()) -> None:
        self.starts: list[tuple[str, dict[str, Any]]] = []
        self.checks: dict[str, int] = {}
        self.runs_for = runs_for
        self.refuse = refuse

    def start(self, name: str, payload: dict[str, Any]) -> str:
        if payload["incident_id"] in self.refuse:
            raise RuntimeError("Step Functions is unavailable")
        self.starts.append((name, payload))
        return f"arn:{name}"

    def is_running(self, name: str) -> bool:
        self.checks[name] = self.checks.get(name, 0) + 1
        return self.checks[name] <= self.runs_for


def starter(
    incidents: Incidents, workflow: Workflow, store: Store | None = None, **kwargs: Any
) -> InvestigationStarter:
    ids = iter(f"inv-{n}" for n in range(100))
    return InvestigationStarter(
        store or Store(),
        incidents,
        workflow,
        clock=lambda: NOW,
        new_id=lambda: next(ids),
        **kwargs,  # type: ignore[arg-type]
    )


def test_only_a_group_root_asks_and_a_request_round_trips_through_its_message() -> None:
    root, child = incident("inc-1"), incident("inc-2", group_id="inc-1")
    (request,) = requests_for([root, child])
    assert request == InvestigationRequest("ws", "inc-1")
    assert InvestigationRequest.from_message(request.to_message()) == request
    for body in ("", "[]", '{"workspace_id": "ws"}', '{"workspace_id": 1, "incident_id": "a"}', '{"incident_id": ""}'):
        with pytest.raises(ValueError):
            InvestigationRequest.from_message(body)


def test_a_batch_counts_a_redelivered_request_once() -> None:
    requests = [InvestigationRequest("ws", "inc-1"), InvestigationRequest("ws", "inc-2"),
                InvestigationRequest("ws", "inc-1"), InvestigationRequest("other", "inc-1")]  # fmt: skip
    assert [(r.workspace_id, r.incident_id) for r in coalesce(requests)] == [
        ("ws", "inc-1"), ("ws", "inc-2"), ("other", "inc-1"),
    ]  # fmt: skip


def test_each_requested_incident_gets_one_investigation_started_with_its_timeline_event() -> None:
    first, second = incident("inc-1"), incident("inc-2")
    incidents, workflow, store = Incidents(first, second), Workflow(), Store()
    batch = [*requests_for([first, second]), *requests_for([first])]
    report = starter(incidents, workflow, store).start_requested(batch, 0)
    assert report.started == ["inv-0", "inv-1"] and not report.failed_incidents
    assert [payload["incident_id"] for _name, payload in workflow.starts] == ["inc-1", "inc-2"]
    assert [(event.incident_id, event.event_type) for event in incidents.events] == [
        ("inc-1", "diagnosis_started"), ("inc-2", "diagnosis_started"),
    ]  # fmt: skip


def test_a_redelivered_request_starts_nothing_new_and_restarts_a_running_execution_by_its_name() -> None:
    root = incident("inc-1")
    incidents, workflow, store = Incidents(root), Workflow(), Store()
    first = starter(incidents, workflow, store).start_requested(requests_for([root]), 0)
    again = starter(incidents, workflow, store).start_requested(requests_for([root]), 0)
    assert first.started == ["inv-0"] and again.started == []
    # The same execution name: Step Functions treats it as the same execution (the repair of a lost start).
    assert [name for name, _payload in workflow.starts] == ["inv-0", "inv-0"]
    finished = store.investigations["inv-0"].model_copy(update={"status": InvestigationStatus.SUCCEEDED})
    store.save(finished)
    starter(incidents, workflow, store).start_requested(requests_for([root]), 0)
    assert len(workflow.starts) == 2  # a finished investigation is not started again


def test_a_failing_start_is_reported_and_the_rest_of_the_batch_is_started() -> None:
    good, bad = incident("inc-1"), incident("inc-9")
    workflow = Workflow(refuse=frozenset({"inc-9"}))
    report = starter(Incidents(good, bad), workflow).start_requested(requests_for([bad, good]), 0)
    assert report.failed_incidents == {("ws", "inc-9")} and report.started == ["inv-1"]
    assert report.failed(InvestigationRequest("ws", "inc-9")) and not report.failed(InvestigationRequest("ws", "inc-1"))


def test_the_batch_is_held_while_its_executions_run_and_released_at_the_watch_limit() -> None:
    clock = {"now": 0.0}

    def sleep(seconds: float) -> None:
        clock["now"] += seconds

    root = incident("inc-1")
    quick = starter(Incidents(root), Workflow(runs_for=3), sleep=sleep, monotonic=lambda: clock["now"])
    assert quick.start_requested(requests_for([root]), watch_seconds=60).still_running == []
    # Held for the three checks that saw it running, the first soon, then backing off towards once a second.
    assert clock["now"] == pytest.approx(0.05 + 0.1 + 0.2)

    clock["now"] = 0.0
    slow = starter(Incidents(root), Workflow(runs_for=1000), sleep=sleep, monotonic=lambda: clock["now"])
    assert slow.start_requested(requests_for([root]), watch_seconds=20).still_running == ["inv-0"]
    assert clock["now"] <= 20.0


def test_a_request_for_an_incident_that_does_not_exist_is_dropped_not_retried() -> None:
    report = starter(Incidents(), Workflow()).start_requested([InvestigationRequest("ws", "inc-gone")], 0)
    assert report.gone == ["inc-gone"] and not report.failed_incidents and not report.started
