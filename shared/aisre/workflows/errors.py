"""The workflows' errors, each a core error so that it maps to HTTP once (core/http/errors.py). The Task states'
errors are also the names the state machines' Retry and Catch match on: renaming one is a breaking change."""

from __future__ import annotations

from aisre.core.errors import ConflictError, UpstreamError, ValidationError


class WorkflowDefinitionError(ValidationError):
    """A workflow's steps do not hold together (unknown step type, a cycle in depends_on...): 422 naming the step."""


class BuiltinWorkflowError(ConflictError):
    """A built-in workflow is read-only: it cannot be changed or deleted (409)."""


class WorkflowStepFailedError(UpstreamError):
    """A step's work failed (the action failed at the cluster, a read found no such pod): the run compensates."""


class WorkloadUnhealthyError(UpstreamError):
    """A check step found the workload not healthy yet: retried by the state machine, then the run compensates."""
