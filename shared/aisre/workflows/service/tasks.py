"""The workflow-steps function's Tasks: the read and check steps, under the read-only identity, and the
compensation's plan (read from the run's own history). Nothing here writes to a cluster or to the table.

Each Task's event is the state machine's Payload: {"task", "run", "context", "step"} (model/compiler.py).
"""

from __future__ import annotations

from typing import Any

from aisre.core.errors import ValidationError
from aisre.remediation.errors import ClusterError
from aisre.workflows.errors import WorkflowStepFailedError, WorkloadUnhealthyError
from aisre.workflows.model.catalog import STEP_TYPES, step_fields
from aisre.workflows.model.history import plan_compensation
from aisre.workflows.model.inspection import deployment_summary, pod_summary, pods_selector
from aisre.workflows.ports import StateMachines, WorkloadReader

Obj = dict[str, Any]
MAX_HISTORY_EVENTS = 5000


class WorkflowTasks:
    def __init__(self, reader: WorkloadReader, machines: StateMachines):
        self._reader = reader
        self._machines = machines

    def run(self, event: Obj) -> Obj:
        task = str(event.get("task") or "")
        if task == "plan_compensation":
            return self.plan_compensation(event)
        handlers = {
            "inspect_pod": self.inspect_pod,
            "inspect_deployment": self.inspect_deployment,
            "check_deployment": self.check_deployment,
        }
        if task not in handlers:
            raise ValidationError(f"unknown workflow task {task!r}", field="task")
        step = event.get("step") or {}
        spec = STEP_TYPES[str(step.get("type"))]
        fields = step_fields(spec, step.get("config") or {}, event.get("context") or {})
        try:
            output = handlers[task](fields, bool((event.get("run") or {}).get("dry_run")))
        except ClusterError as error:
            # A read the cluster refused (no such pod): the step fails with the API server's words.
            raise WorkflowStepFailedError(error.message) from error
        return {"step": step.get("name"), "step_type": spec.name, **output}

    def inspect_pod(self, fields: Obj, dry_run: bool) -> Obj:
        return pod_summary(self._reader.read_pod(fields["namespace"], fields["pod_name"]))

    def inspect_deployment(self, fields: Obj, dry_run: bool) -> Obj:
        deployment = self._reader.read_deployment(fields["namespace"], fields["deployment_name"])
        return deployment_summary(deployment, self._reader.list_pods(fields["namespace"], pods_selector(deployment)))

    def check_deployment(self, fields: Obj, dry_run: bool) -> Obj:
        """As inspect_deployment; unhealthy fails the step (the state machine reads again, then compensates). A
        dry run only reports: nothing was changed that could have recovered it."""
        summary = self.inspect_deployment(fields, dry_run)
        if not summary["healthy"] and not dry_run:
            raise WorkloadUnhealthyError(f"deployment {summary['deployment']} has not recovered: {summary['observed']}")
        return summary

    def plan_compensation(self, event: Obj) -> Obj:
        """What to undo (this run's writes that can be, newest first) and the failure the run ends with."""
        events, _truncated = self._machines.history(str(event["execution_arn"]), MAX_HISTORY_EVENTS)
        plan = plan_compensation(events, event.get("failure") or {})
        return {"undo": plan.undo, "error": plan.error, "cause": plan.cause}
