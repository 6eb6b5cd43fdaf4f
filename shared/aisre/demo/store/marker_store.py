"""SeedMarkers on DynamoDB: the claim is a conditional put (no marker, or a seeding abandoned past its lease), so two
requests at once seed a workspace once; finishing and releasing are conditional on the claim still being ours."""

from __future__ import annotations

from contextlib import suppress
from datetime import datetime

from pynamodb.exceptions import DeleteError, PutError

from aisre.core.errors import StorageError
from aisre.demo.model.seed import SeedMarker, SeedResult
from aisre.demo.store import keys
from aisre.demo.store.records import SeedRecord

SEEDING, SEEDED = "seeding", "seeded"


class DynamoSeedMarkers:
    def find(self, workspace_id: str) -> SeedMarker | None:
        try:
            record = SeedRecord.get(keys.marker_pk(workspace_id), keys.MARKER_SK, consistent_read=True)
        except SeedRecord.DoesNotExist:
            return None
        return SeedMarker(
            workspace_id=record.workspace_id,
            status=record.status,
            claimed_at=record.claimed_at,
            lease_until=record.lease_until,
            result=SeedResult.model_validate(record.result) if record.result else None,
        )

    def claim(self, workspace_id: str, now: datetime, lease_until: datetime) -> bool:
        record = SeedRecord(
            pk=keys.marker_pk(workspace_id),
            sk=keys.MARKER_SK,
            workspace_id=workspace_id,
            status=SEEDING,
            claimed_at=now,
            lease_until=lease_until,
        )
        free = SeedRecord.pk.does_not_exist() | ((SeedRecord.status == SEEDING) & (SeedRecord.lease_until <= now))
        try:
            record.save(condition=free)
        except PutError as error:
            if error.cause_response_code == "ConditionalCheckFailedException":
                return False
            raise StorageError("claiming the demo seed failed") from error
        return True

    def finish(self, result: SeedResult, claimed_at: datetime) -> None:
        record = SeedRecord(
            pk=keys.marker_pk(result.workspace_id),
            sk=keys.MARKER_SK,
            workspace_id=result.workspace_id,
            status=SEEDED,
            claimed_at=claimed_at,
            lease_until=claimed_at,
            result=result.as_stored(),
        )
        try:
            record.save(condition=(SeedRecord.status == SEEDING) & (SeedRecord.claimed_at == claimed_at))
        except PutError as error:
            raise StorageError("recording the demo seed failed (another request took the workspace over)") from error

    def release(self, workspace_id: str, claimed_at: datetime) -> None:
        record = SeedRecord(pk=keys.marker_pk(workspace_id), sk=keys.MARKER_SK)
        # Taken over already, or gone: nothing of ours to let go.
        with suppress(DeleteError):
            record.delete(condition=(SeedRecord.status == SEEDING) & (SeedRecord.claimed_at == claimed_at))
