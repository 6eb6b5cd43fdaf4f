"""Keys of the on-call items (docs/data-model.md): a workspace's schedules, escalation policies and the claims that
give each service one policy share one partition (a workspace has a handful, read together); an escalation's pages
sit beside their incident, as other capabilities' links to an incident do."""

from __future__ import annotations

SCHEDULE_PREFIX = "SCHED#"
POLICY_PREFIX = "POLICY#"
SERVICE_PREFIX = "SVC#"
PAGE_PREFIX = "ESC#"


def oncall_pk(workspace_id: str) -> str:
    return f"WS#{workspace_id}#ONCALL"


def schedule_sk(schedule_id: str) -> str:
    return f"{SCHEDULE_PREFIX}{schedule_id}"


def policy_sk(policy_id: str) -> str:
    return f"{POLICY_PREFIX}{policy_id}"


def service_sk(service: str) -> str:
    return f"{SERVICE_PREFIX}{service}"


def incident_pk(workspace_id: str, incident_id: str) -> str:
    """The incident's own partition (the incidents' key): its escalation's pages are listed beside it."""
    return f"WS#{workspace_id}#INC#{incident_id}"


def page_sk(round_: int, level: int) -> str:
    return f"{PAGE_PREFIX}{round_:02d}#{level:02d}"
