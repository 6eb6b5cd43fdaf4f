"""Escalation policies: create, read, list, replace and delete a workspace's policies (a schedule a policy names must
exist: 422 naming `levels[i].targets[j].schedule`; a service belongs to one policy: 409 naming `services[i]`), who is
on call for a service now (seed 001's /oncall/current), the preview of an escalation (seed 001's
/notifications/escalation), and the OnCall port's responders."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from aisre.core.clock import utc_now
from aisre.core.errors import NotFoundError
from aisre.core.paging import Page
from aisre.notifications.errors import EscalationPolicyError, ServiceClaimedError
from aisre.notifications.model.oncall.escalation import Policy, PolicySpec, parse_policy
from aisre.notifications.model.oncall.paging import (
    CurrentOnCall,
    EscalationPreview,
    current_oncall,
    people,
    preview,
    resolve_level,
)
from aisre.notifications.model.oncall.schedule import Schedule
from aisre.notifications.ports import PolicyStore, ScheduleStore

# The longest an escalation is previewed for (a year of minutes): past every policy's last page.
MAX_PREVIEW_MINUTES = 525_600


def new_policy_id() -> str:
    return f"pol-{secrets.token_hex(6)}"


class EscalationPolicyService:
    def __init__(
        self,
        policies: PolicyStore,
        schedules: ScheduleStore,
        *,
        clock: Callable[[], datetime] = utc_now,
        new_id: Callable[[], str] = new_policy_id,
    ):
        self._policies = policies
        self._schedules = schedules
        self._clock = clock
        self._new_id = new_id

    # -- the policies ---------------------------------------------------------------------------------------------

    def create_policy(self, workspace_id: str, raw: Mapping[str, Any], principal: str | None) -> Policy:
        spec = parse_policy(raw)
        policy_id = self._new_id()
        self._check(workspace_id, spec, policy_id)
        now = self._clock()
        policy = Policy(policy_id, workspace_id, spec, now, now, created_by=principal)
        self._policies.create_policy(policy)
        return policy

    def get_policy(self, workspace_id: str, policy_id: str) -> Policy:
        return self._policies.get_policy(workspace_id, policy_id)

    def list_policies(self, workspace_id: str, limit: int, cursor: str | None) -> Page[Policy]:
        return self._policies.list_policies(workspace_id, limit, cursor)

    def replace_policy(self, workspace_id: str, policy_id: str, raw: Mapping[str, Any]) -> Policy:
        spec = parse_policy(raw)
        before = self._policies.get_policy(workspace_id, policy_id)
        self._check(workspace_id, spec, policy_id)
        after = replace(before, spec=spec, updated_at=self._clock(), version=before.version + 1)
        self._policies.replace_policy(before, after)
        return after

    def delete_policy(self, workspace_id: str, policy_id: str) -> Policy:
        policy = self._policies.get_policy(workspace_id, policy_id)
        self._policies.delete_policy(policy)
        return policy

    # -- what a policy pages ------------------------------------------------------------------------------------

    def policy_for_service(self, workspace_id: str, service: str) -> Policy:
        policy = self._policies.policy_for_service(workspace_id, service)
        if policy is None:
            raise NotFoundError(f"no escalation policy covers service {service!r}", field="service")
        return policy

    def schedules_of(self, policy: Policy) -> dict[str, Schedule]:
        return self._schedules.find_schedules(policy.workspace_id, policy.spec.schedule_ids)

    def current(self, workspace_id: str, service: str) -> CurrentOnCall:
        """The service's policy, its first level resolved now (NotFoundError naming `service` without a policy)."""
        policy = self.policy_for_service(workspace_id, service)
        return current_oncall(policy, self.schedules_of(policy), self._clock())

    def preview(self, workspace_id: str, service: str, minutes_elapsed: float) -> EscalationPreview:
        """Who an incident of `service` open for `minutes_elapsed` has paged last, with the schedules as they stand
        now, and what comes next."""
        policy = self.policy_for_service(workspace_id, service)
        return preview(policy, self.schedules_of(policy), minutes_elapsed, self._clock())

    def responders(self, workspace_id: str, service: str | None) -> Sequence[str]:
        """OnCall (ports.py): who the service's policy pages first, now; nobody without a policy."""
        if not service:
            return ()
        policy = self._policies.policy_for_service(workspace_id, service)
        if policy is None:
            return ()
        return people(resolve_level(policy.spec.levels[0], self.schedules_of(policy), self._clock()))

    # -- checks -------------------------------------------------------------------------------------------------

    def _check(self, workspace_id: str, spec: PolicySpec, policy_id: str) -> None:
        """Every schedule it names exists (422 naming the target), no service it names is another policy's (409)."""
        found = self._schedules.find_schedules(workspace_id, spec.schedule_ids)
        for n, level in enumerate(spec.levels):
            for m, target in enumerate(level.targets):
                if target.kind == "schedule" and target.ref not in found:
                    raise EscalationPolicyError(
                        f"levels[{n}].targets[{m}].schedule: no schedule {target.ref} in the workspace",
                        field=f"levels[{n}].targets[{m}].schedule",
                    )
        owners = self._policies.service_owners(workspace_id, spec.services)
        for n, service in enumerate(spec.services):
            owner = owners.get(service)
            if owner is not None and owner != policy_id:
                raise ServiceClaimedError(
                    f"services[{n}]: {service} is escalated by policy {owner} already (one policy per service)",
                    field=f"services[{n}]",
                    details={"service": service, "policy_id": owner},
                )
