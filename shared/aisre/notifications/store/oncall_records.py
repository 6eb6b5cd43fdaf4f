"""The on-call records in the single table: schedules and escalation policies as their checked documents, the
claim that makes a policy the one of a service, and the pages an escalation made (docs/data-model.md)."""

from __future__ import annotations

from pynamodb.attributes import (
    JSONAttribute,
    ListAttribute,
    NumberAttribute,
    TTLAttribute,
    UnicodeAttribute,
    UnicodeSetAttribute,
    UTCDateTimeAttribute,
)

from aisre.core.table.records import Record


class ScheduleRecord(Record):
    """A schedule's document (validated again when read), and the policies that name it (so that it is not deleted
    from under them)."""

    schedule_id = UnicodeAttribute()
    workspace_id = UnicodeAttribute()
    document = JSONAttribute()
    version = NumberAttribute(default=1)
    created_by = UnicodeAttribute(null=True)
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()
    policies = UnicodeSetAttribute(null=True)


class PolicyRecord(Record):
    policy_id = UnicodeAttribute()
    workspace_id = UnicodeAttribute()
    document = JSONAttribute()
    version = NumberAttribute(default=1)
    created_by = UnicodeAttribute(null=True)
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()


class ServiceClaimRecord(Record):
    """The escalation policy of a service: one per service, written in the policy's own transaction."""

    workspace_id = UnicodeAttribute()
    service = UnicodeAttribute()
    policy_id = UnicodeAttribute()


class EscalationPageRecord(Record):
    """One page an incident's escalation made (a level of a round), kept so that a retried Task does not page twice."""

    workspace_id = UnicodeAttribute()
    incident_id = UnicodeAttribute()
    policy_id = UnicodeAttribute()
    round = NumberAttribute()
    level = NumberAttribute()
    recipients = ListAttribute(of=UnicodeAttribute)
    paged_at = UTCDateTimeAttribute()
    ttl = TTLAttribute(null=True)
