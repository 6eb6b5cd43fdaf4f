"""InvestigationStore on DynamoDB: each investigation as one item, linked from its incident's partition."""

from __future__ import annotations

from pynamodb.connection import Connection
from pynamodb.transactions import TransactWrite

from aisre.core.table.by_id import get_by_id
from aisre.investigations.model.investigation import Investigation
from aisre.investigations.store import keys
from aisre.investigations.store.records import InvestigationLinkRecord, InvestigationRecord


class DynamoInvestigationStore:
    def __init__(self, connection: Connection):
        self._connection = connection

    def create(self, investigation: Investigation) -> None:
        """The investigation and its link from the incident, together."""
        with TransactWrite(connection=self._connection) as tx:
            tx.save(self._record(investigation), condition=InvestigationRecord.pk.does_not_exist())
            tx.save(
                InvestigationLinkRecord(
                    pk=keys.incident_partition(investigation.workspace_id, investigation.incident_id),
                    sk=keys.investigation_link_sk(investigation.started_at, investigation.id),
                    investigation_id=investigation.id,
                )
            )

    def save(self, investigation: Investigation) -> None:
        self._record(investigation).save()

    def get(self, workspace_id: str | None, investigation_id: str) -> Investigation:
        record = get_by_id(
            InvestigationRecord,
            workspace_id,
            id_key=keys.investigation_id_key(investigation_id),
            key=lambda workspace: (keys.investigation_pk(workspace, investigation_id), keys.INVESTIGATION_SK),
            what=f"investigation {investigation_id}",
            field="investigation_id",
        )
        return Investigation.model_validate(record.body)

    def of_incident(self, workspace_id: str, incident_id: str, limit: int = 20) -> list[str]:
        """Ids of the incident's investigations, newest first."""
        links = InvestigationLinkRecord.query(
            keys.incident_partition(workspace_id, incident_id),
            InvestigationLinkRecord.sk.startswith(keys.INVESTIGATION_PREFIX),
            scan_index_forward=False,
            limit=limit,
        )
        return [link.investigation_id for link in links]

    @staticmethod
    def _record(investigation: Investigation) -> InvestigationRecord:
        return InvestigationRecord(
            pk=keys.investigation_pk(investigation.workspace_id, investigation.id),
            sk=keys.INVESTIGATION_SK,
            gsi3pk=keys.investigation_id_key(investigation.id),
            status=investigation.status.value,
            body=investigation.model_dump(mode="json"),
        )
