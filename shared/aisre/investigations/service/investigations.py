"""InvestigationService: start an incident's investigation, run its steps (as Step Functions Task states
call them), and read the result; the state machine in infra/statemachines/ decides the order. An incident's
diagnosis is read by the lighter DiagnosisReader (service/diagnoses.py)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from aisre.core.clock import utc_now
from aisre.core.errors import ValidationError
from aisre.incidents.model.incident import Incident, IncidentState, TimelineEvent
from aisre.incidents.service.lifecycle import IncidentService
from aisre.investigations.model.analysis.engine import analyze
from aisre.investigations.model.analysis.render import render_answer
from aisre.investigations.model.deploy_evidence import deploy_evidence
from aisre.investigations.model.evidence import Evidence, Issue
from aisre.investigations.model.evidence_state import results_from_state, results_to_state
from aisre.investigations.model.investigation import (
    Diagnosis,
    Investigation,
    InvestigationStatus,
    StepRecord,
    build_diagnosis,
    issue_from_incident,
)
from aisre.investigations.ports import InvestigationStore, ProposalState, ToolRunner
from aisre.investigations.service.agent import InvestigationAgent
from aisre.investigations.service.gather import gather
from aisre.investigations.service.similar import SimilarIncidents
from aisre.investigations.service.starter import InvestigationStarter
from aisre.remediation.model.actions import SuggestedAction
from aisre.remediation.model.policy import Policy, evaluate_all
from aisre.remediation.model.proposals import suggest_actions
from aisre.remediation.model.runbooks import RunbookCatalog

# The findings a diagnosis puts on the timeline (its event stays small).
MAX_TIMELINE_FINDINGS = 5

StepFunction = Callable[[dict[str, Any]], dict[str, Any]]


class InvestigationService:
    def __init__(
        self,
        store: InvestigationStore,
        incidents: IncidentService,
        starter: InvestigationStarter,
        tools: ToolRunner,
        policy: Policy,
        runbooks: RunbookCatalog,
        *,
        clock: Callable[[], datetime] = utc_now,
        agent: InvestigationAgent | None = None,
        similar: SimilarIncidents | None = None,
        proposals: ProposalState | None = None,
        on_completed: Callable[[Investigation], None] | None = None,
    ):
        self._store = store
        self._on_completed = on_completed
        self._incidents = incidents
        self._starter = starter
        self._tools = tools
        self._policy = policy
        self._runbooks = runbooks
        self._clock = clock
        self._agent = agent
        self._similar = similar
        self._proposals = proposals
        self._steps: dict[str, StepFunction] = {
            "gather_cluster": self.gather_cluster,
            "gather_changes": self.gather_changes,
            "gather_history": self.gather_history,
            "analyze": self.analyze,
            "evaluate_actions": self.evaluate_actions,
            "persist": self.persist,
            "record_failure": self.record_failure,
        }

    # -- starting and reading -----------------------------------------------------------------------

    def start(self, workspace_id: str | None, incident_id: str, trigger: str) -> Investigation:
        self._starter.required_workflow()
        return self._starter.start(self._incidents.get(workspace_id, incident_id), trigger)

    def get(self, workspace_id: str | None, investigation_id: str) -> Investigation:
        return self._store.get(workspace_id, investigation_id)

    # -- the steps (each Task state of the state machine calls one) ----------------------------------

    def run_step(self, step: str, state: dict[str, Any]) -> dict[str, Any]:
        if step not in self._steps:
            raise ValidationError(f"unknown investigation step {step}", field="step")
        return self._steps[step](state)

    def gather_cluster(self, state: dict[str, Any]) -> dict[str, Any]:
        started = self._clock()
        evidence = gather(self._issue(state), self._tools)
        return {"step": self._step("gather_cluster", started), "results": results_to_state(evidence.results)}

    def gather_changes(self, state: dict[str, Any]) -> dict[str, Any]:
        started = self._clock()
        correlation = self._incidents.deploy_correlation(state["workspace_id"], state["incident_id"], 60)
        return {"step": self._step("gather_changes", started), "deploy_correlation": correlation}

    def gather_history(self, state: dict[str, Any]) -> dict[str, Any]:
        """Resolved incidents like this one (with how they were resolved); this one joins the knowledge."""
        started = self._clock()
        similar: list[dict[str, Any]] = []
        if self._similar is not None:
            incident = self._incidents.get(state["workspace_id"], state["incident_id"])
            similar = self._similar.similar(incident)
            # A resolved incident was indexed with its resolution when it was resolved: indexing it again here,
            # as it stands, would drop the note the next similar incident should read.
            if incident.state is not IncidentState.RESOLVED:
                self._similar.index_incident(incident)
        return {"step": self._step("gather_history", started), "similar_incidents": similar}

    def analyze(self, state: dict[str, Any]) -> dict[str, Any]:
        """The analyzer's findings; with a model configured, the agent reasons on them with read-only tools
        (its failure leaves the analyzer's answer standing, with a note)."""
        started = self._clock()
        incident = self._incidents.get(state["workspace_id"], state["incident_id"])
        branches = state.get("gathered", [])
        results = results_from_state([r for branch in branches for r in branch.get("results", [])])
        deploy = next((d for d in map(deploy_evidence, (b.get("deploy_correlation") for b in branches)) if d), None)
        if deploy is not None:
            results = (*results, deploy)
        similar = [item for branch in branches for item in branch.get("similar_incidents", [])]
        issue = self._issue(state, incident)
        analysis = analyze(Evidence(issue=issue, results=results, available_tools=self._tools.available_tools()))
        answer = render_answer(analysis)
        usage: dict[str, Any] = {"prompt_tokens": 0, "completion_tokens": 0, "cost_usd": None}
        llm_error = None
        tool_calls = len(results)
        if self._agent is not None:
            agent_result = self._agent.investigate(issue, analysis)
            answer, llm_error = agent_result.answer, agent_result.llm_error
            usage = {
                "prompt_tokens": agent_result.prompt_tokens,
                "completion_tokens": agent_result.completion_tokens,
                "cost_usd": agent_result.cost_usd,
            }
            tool_calls += len(agent_result.tool_calls)
        suggested = [action.model_dump() for action in suggest_actions(incident, analysis.findings)]
        # The runbook catalog, best match first: by the findings, then by the alert's own name.
        playbooks = [
            match.runbook_id for match in self._runbooks.match(analysis.findings, incident.title, incident.labels)
        ]
        diagnosis = build_diagnosis(
            incident,
            analysis,
            results,
            answer,
            similar_incidents=similar,
            matched_playbooks=playbooks,
            llm_error=llm_error,
        )
        return {
            "step": self._step("analyze", started),
            "diagnosis": diagnosis.model_dump(mode="json"),
            # The rules that concluded, for whoever reads the timeline later (runbooks match on them).
            "findings": [
                {"rule": f.rule, "root_cause": f.root_cause[:300], "confidence": f.confidence}
                for f in analysis.findings[:MAX_TIMELINE_FINDINGS]
            ],
            "suggested": suggested,
            "tool_calls": tool_calls,
            "usage": usage,
        }

    def evaluate_actions(self, state: dict[str, Any]) -> dict[str, Any]:
        started = self._clock()
        suggested = [SuggestedAction.model_validate(item) for item in _part(state, "analysis")["suggested"]]
        evaluated = evaluate_all(
            suggested, self._policy, recent_executions=self._spent(state["workspace_id"], suggested)
        )
        return {
            "step": self._step("evaluate_actions", started),
            "suggested_actions": [item.model_dump(mode="json", exclude={"violations"}) for item in evaluated],
        }

    def persist(self, state: dict[str, Any]) -> dict[str, Any]:
        started = self._clock()
        investigation = self._store.get(state["workspace_id"], state["investigation_id"])
        analysis, evaluated = _part(state, "analysis"), _part(state, "evaluated")
        diagnosis = Diagnosis.model_validate(
            analysis["diagnosis"] | {"suggested_actions": evaluated["suggested_actions"]}
        )
        steps = [StepRecord.model_validate(branch["step"]) for branch in state.get("gathered", [])]
        steps += [StepRecord.model_validate(part["step"]) for part in (analysis, evaluated)]
        steps.append(self._record("persist", started))
        finished = investigation.model_copy(
            update={
                "status": InvestigationStatus.SUCCEEDED,
                "finished_at": self._clock(),
                "steps": steps,
                "diagnosis": diagnosis,
                "tool_calls": int(analysis.get("tool_calls", 0)),
                **(analysis.get("usage") or {}),
            }
        )
        self._store.save(finished)
        for step in steps:
            if step.status != "succeeded":  # every failure is on the timeline, not only in the result
                self._event(finished, "diagnosis_step_failed", {"step": step.name, "error": step.error})
        self._event(
            finished,
            "diagnosis_completed",
            {"summary": diagnosis.summary, "confidence": diagnosis.confidence,
             "findings": analysis.get("findings") or [],
             "suggested_actions_count": len(diagnosis.suggested_actions),
             "not_gathered": diagnosis.not_gathered[:20]},
        )  # fmt: skip
        if self._on_completed is not None:
            self._on_completed(finished)
        return {"investigation_id": finished.id, "status": finished.status.value}

    def record_failure(self, state: dict[str, Any]) -> dict[str, Any]:
        failure = state.get("failure") or {}
        error = f"{failure.get('Error', 'Error')}: {failure.get('Cause', '')}"[:2000]
        investigation = self._store.get(state["workspace_id"], state["investigation_id"])
        failed = investigation.model_copy(
            update={"status": InvestigationStatus.FAILED, "finished_at": self._clock(), "error": error}
        )
        self._store.save(failed)
        self._event(failed, "diagnosis_failed", {"error": error})
        return {"investigation_id": failed.id, "status": failed.status.value}

    # -- helpers --------------------------------------------------------------------------------------

    def _spent(self, workspace_id: str, suggested: list[SuggestedAction]) -> Mapping[str, int]:
        """How much of each suggestion's rate limit executions have spent, so that the diagnosis judges it as
        /actions/execute would (a spent limit shows as not allowed, with the rate limit as its reason)."""
        if self._proposals is None:
            return {}
        targets = [
            (item.name, namespace)
            for item in suggested
            if isinstance(namespace := item.arguments.get("namespace"), str)
        ]
        return self._proposals.spent_rate_limits(workspace_id, targets) if targets else {}

    def _issue(self, state: dict[str, Any], incident: Incident | None = None) -> Issue:
        """The incident as the tools and rules see it, with what the alerts grouped under it said: a storm's
        root is investigated once for the whole group (service/starter.py), so their words are evidence too."""
        if incident is None:
            incident = self._incidents.get(state["workspace_id"], state["incident_id"])
        grouped = self._incidents.grouped_alert_titles(incident.workspace_id, incident.id)
        return issue_from_incident(incident, grouped)

    def _step(self, name: str, started: datetime) -> dict[str, Any]:
        return self._record(name, started).model_dump(mode="json")

    def _record(self, name: str, started: datetime) -> StepRecord:
        return StepRecord(name=name, status="succeeded", started_at=started, finished_at=self._clock())

    def _event(self, investigation: Investigation, event_type: str, payload: dict[str, Any]) -> None:
        self._incidents.record_event(
            investigation.workspace_id,
            TimelineEvent(
                incident_id=investigation.incident_id,
                event_type=event_type,
                actor="system",
                payload={"investigation_id": investigation.id, **payload},
                created_at=datetime.now(UTC),
            ),
        )


def _part(state: dict[str, Any], key: str) -> dict[str, Any]:
    """A Task state's result, which the state machine keeps at state[key]["value"]."""
    part: dict[str, Any] = state[key]["value"]
    return part
