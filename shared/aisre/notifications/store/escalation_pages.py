"""EscalationPages on DynamoDB: one item per page an incident's escalation made, beside the incident, so that a
Step Functions Task retried after its page went out finds it and does not page again."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from pynamodb.exceptions import GetError, PutError

from aisre.core.errors import StorageError
from aisre.notifications.store import oncall_keys as keys
from aisre.notifications.store.oncall_records import EscalationPageRecord


class DynamoEscalationPages:
    def __init__(self, clock: Callable[[], datetime], retention: timedelta):
        self._clock = clock
        self._retention = retention

    def paged_before(self, workspace_id: str, incident_id: str, round_: int, level: int) -> tuple[str, ...] | None:
        try:
            record = EscalationPageRecord.get(
                keys.incident_pk(workspace_id, incident_id), keys.page_sk(round_, level), consistent_read=True
            )
        except EscalationPageRecord.DoesNotExist:
            return None
        except GetError as error:
            raise StorageError("reading the escalation's pages failed") from error
        return tuple(str(person) for person in record.recipients or ())

    def record_page(
        self, workspace_id: str, incident_id: str, policy_id: str, round_: int, level: int, recipients: Sequence[str]
    ) -> None:
        now = self._clock()
        record = EscalationPageRecord(
            pk=keys.incident_pk(workspace_id, incident_id),
            sk=keys.page_sk(round_, level),
            workspace_id=workspace_id,
            incident_id=incident_id,
            policy_id=policy_id,
            round=round_,
            level=level,
            recipients=list(recipients),
            paged_at=now,
            ttl=now + self._retention,
        )
        try:
            record.save()
        except PutError as error:
            raise StorageError("recording the escalation's page failed") from error
