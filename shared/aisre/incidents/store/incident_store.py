"""IncidentStore on DynamoDB: claims, incidents, timelines and groups, with conditional transactions."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from pynamodb.connection import Connection
from pynamodb.exceptions import PynamoDBException, TransactWriteError
from pynamodb.expressions.condition import Condition
from pynamodb.expressions.update import Action
from pynamodb.transactions import TransactWrite

from aisre.core.errors import ConflictError, StorageError
from aisre.core.paging import Page
from aisre.core.table.by_id import get_by_id
from aisre.core.table.paging import decode_cursor, encode_cursor
from aisre.incidents.model.alert import Alert
from aisre.incidents.model.correlation import OpenFingerprint, OpenIncident, ServiceAnchor
from aisre.incidents.model.deploy import Deploy
from aisre.incidents.model.incident import ActionRecord, Incident, IncidentState, TimelineEvent
from aisre.incidents.ports import AlertContext
from aisre.incidents.store import keys
from aisre.incidents.store.mapping import (
    action_to_record,
    event_to_record,
    incident_to_record,
    record_to_action,
    record_to_event,
    record_to_incident,
)
from aisre.incidents.store.records import (
    ActionItemRecord,
    AnchorRecord,
    ChildLinkRecord,
    FingerprintRecord,
    IncidentRecord,
    LatestDeployRecord,
    Record,
    TimelineEventRecord,
    UnmatchedResolutionRecord,
)

_UNMATCHED_RETENTION = timedelta(days=7)
# DynamoDB evaluates at most this many items per Query page; filters apply after, so a selective
# filter (state=open among thousands of resolved) needs larger pages to fill a small limit.
_FILTERED_PAGE_SIZE = 200


class DynamoIncidentStore:
    def __init__(self, connection: Connection):
        # Transactions need an explicit connection: PynamoDB's default one ignores the models' host.
        self._connection = connection

    # -- the alert path ---------------------------------------------------------------------------

    def load_alert_context(
        self, workspace_id: str, fingerprint: str, service: str | None, deploy_service: str | None = None
    ) -> AlertContext:
        wanted = [_key(keys.fingerprint_pk(workspace_id, fingerprint), keys.FINGERPRINT_SK)]
        if service:
            wanted.append(_key(keys.service_pk(workspace_id, service), keys.ANCHOR_SK))
        if deploy_service:
            wanted.append(_key(keys.service_pk(workspace_id, deploy_service), keys.LATEST_DEPLOY_SK))
        open_fingerprint: OpenFingerprint | None = None
        anchor: ServiceAnchor | None = None
        latest_deploy: Deploy | None = None
        for item in self._batch_get(wanted):
            sort_key = item["sk"]["S"]
            if sort_key == keys.FINGERPRINT_SK:
                claim = FingerprintRecord.from_raw_data(item)
                open_fingerprint = OpenFingerprint(
                    incident_id=claim.incident_id,
                    alert_count=int(claim.alert_count),
                    opened_at=claim.opened_at,
                    group_id=claim.group_id,
                )
            elif sort_key == keys.ANCHOR_SK:
                anchor_record = AnchorRecord.from_raw_data(item)
                anchor = ServiceAnchor(incident_id=anchor_record.incident_id, opened_at=anchor_record.opened_at)
            elif sort_key == keys.LATEST_DEPLOY_SK:
                latest_deploy = Deploy.model_validate(LatestDeployRecord.from_raw_data(item).deploy)
        return AlertContext(
            fingerprint=fingerprint,
            service=service,
            open_fingerprint=open_fingerprint,
            anchor=anchor,
            latest_deploy=latest_deploy,
        )

    def open_incident(self, incident: Incident, events: Sequence[TimelineEvent], decision: OpenIncident) -> None:
        ws = incident.workspace_id
        claim = FingerprintRecord(
            pk=keys.fingerprint_pk(ws, incident.fingerprint),
            sk=keys.FINGERPRINT_SK,
            incident_id=incident.id,
            alert_count=1,
            last_alert_at=incident.created_at,
            opened_at=incident.created_at,
            group_id=incident.group_id,
        )
        with self._transaction() as tx:
            tx.save(claim, condition=FingerprintRecord.pk.does_not_exist())
            tx.save(incident_to_record(incident))
            for sequence, event in enumerate(events):
                tx.save(event_to_record(ws, event, sequence))
            if incident.service and decision.anchor_write:
                anchor = AnchorRecord(
                    pk=keys.service_pk(ws, incident.service),
                    sk=keys.ANCHOR_SK,
                    incident_id=incident.id,
                    opened_at=incident.created_at,
                )
                if decision.anchor_write == "claim":
                    tx.save(anchor, condition=AnchorRecord.pk.does_not_exist())
                elif decision.stale_anchor is not None:
                    tx.save(anchor, condition=AnchorRecord.opened_at == decision.stale_anchor.opened_at)
            if incident.group_id:
                tx.save(
                    ChildLinkRecord(
                        pk=keys.incident_pk(ws, incident.group_id),
                        sk=keys.child_sk(incident.id),
                        child_id=incident.id,
                        correlation_reason=incident.correlation_reason or "",
                        created_at=incident.created_at,
                    )
                )

    def fold_alert(self, workspace_id: str, incident_id: str, fingerprint: str, event: TimelineEvent) -> None:
        claim = FingerprintRecord(pk=keys.fingerprint_pk(workspace_id, fingerprint), sk=keys.FINGERPRINT_SK)
        with self._transaction() as tx:
            tx.update(
                claim,
                actions=[FingerprintRecord.alert_count.add(1), FingerprintRecord.last_alert_at.set(event.created_at)],
                condition=FingerprintRecord.incident_id == incident_id,
            )
            tx.save(event_to_record(workspace_id, event))

    def append_event(self, workspace_id: str, event: TimelineEvent) -> None:
        event_to_record(workspace_id, event).save()

    def acknowledge(
        self,
        workspace_id: str,
        incident_id: str,
        at: datetime,
        events: Sequence[TimelineEvent],
        action: ActionRecord | None,
    ) -> None:
        target = IncidentRecord(pk=keys.incident_pk(workspace_id, incident_id), sk=keys.INCIDENT_SK)
        with self._transaction() as tx:
            tx.update(
                target,
                actions=[
                    IncidentRecord.state.set(IncidentState.ACKNOWLEDGED.value),
                    IncidentRecord.acknowledged_at.set(at),
                ],
                condition=IncidentRecord.state == IncidentState.OPEN.value,
            )
            self._add_history(tx, workspace_id, events, action)

    def resolve(
        self,
        workspace_id: str,
        incident_id: str,
        at: datetime,
        context: AlertContext,
        events: Sequence[TimelineEvent],
        action: ActionRecord | None,
        *,
        alerts_received: int = 0,
    ) -> None:
        claim = context.open_fingerprint
        target = IncidentRecord(pk=keys.incident_pk(workspace_id, incident_id), sk=keys.INCIDENT_SK)
        updates: list[Action] = [
            IncidentRecord.state.set(IncidentState.RESOLVED.value),
            IncidentRecord.resolved_at.set(at),
        ]
        if claim is not None and claim.incident_id == incident_id:
            # The claim carries the live alert count; it becomes the incident's once the claim is gone.
            updates.append(IncidentRecord.alert_count.set(claim.alert_count + alerts_received))
            updates.append(IncidentRecord.duration_seconds.set(round((at - claim.opened_at).total_seconds(), 3)))
        with self._transaction() as tx:
            tx.update(
                target,
                actions=updates,
                condition=IncidentRecord.state.is_in(IncidentState.OPEN.value, IncidentState.ACKNOWLEDGED.value),
            )
            if claim is not None and claim.incident_id == incident_id:
                tx.delete(
                    FingerprintRecord(
                        pk=keys.fingerprint_pk(workspace_id, context.fingerprint), sk=keys.FINGERPRINT_SK
                    ),
                    # Unchanged since read: a duplicate folded meanwhile retries, so no count is lost.
                    condition=(FingerprintRecord.incident_id == incident_id)
                    & (FingerprintRecord.alert_count == claim.alert_count),
                )
            if context.service and context.anchor is not None and context.anchor.incident_id == incident_id:
                tx.delete(
                    AnchorRecord(pk=keys.service_pk(workspace_id, context.service), sk=keys.ANCHOR_SK),
                    condition=AnchorRecord.incident_id == incident_id,
                )
            self._add_history(tx, workspace_id, events, action)

    def record_unmatched_resolution(self, workspace_id: str, alert: Alert, at: datetime) -> None:
        UnmatchedResolutionRecord(
            pk=keys.unmatched_pk(workspace_id),
            sk=f"{keys.stamp(at)}#{alert.fingerprint}",
            fingerprint=alert.fingerprint,
            alert=alert.model_dump(mode="json"),
            received_at=at,
            ttl=_UNMATCHED_RETENTION,
        ).save()

    # -- reads ------------------------------------------------------------------------------------

    def get_incident(self, workspace_id: str | None, incident_id: str) -> Incident:
        record = get_by_id(
            IncidentRecord,
            workspace_id,
            id_key=keys.incident_id_key(incident_id),
            key=lambda workspace: (keys.incident_pk(workspace, incident_id), keys.INCIDENT_SK),
            what=f"incident {incident_id}",
            field="incident_id",
        )
        incident = record_to_incident(record)
        if incident.is_open:
            live = self._live_claim(incident)
            if live is not None:
                incident = incident.model_copy(
                    update={"alert_count": live.alert_count, "last_alert_at": live.last_alert_at}
                )
        return incident

    def list_incidents(
        self, workspace_id: str | None, state: IncidentState | None, limit: int, cursor: str | None
    ) -> Page[Incident]:
        condition: Condition | None = (IncidentRecord.state == state.value) if state else None
        index, partition, partition_attribute, _sort = _incident_listing(workspace_id)
        start = decode_cursor(cursor, partition_attribute=partition_attribute, partition_value=partition)
        results = index.query(
            partition,
            scan_index_forward=False,
            filter_condition=condition,
            limit=limit,
            last_evaluated_key=start,
            page_size=_FILTERED_PAGE_SIZE if condition is not None else limit,
        )
        items = [record_to_incident(record) for record in results]
        next_cursor = encode_cursor(results.last_evaluated_key) if len(items) == limit else None
        return Page(items=items, cursor=next_cursor)

    def timeline(self, workspace_id: str, incident_id: str, limit: int, cursor: str | None) -> Page[TimelineEvent]:
        partition = keys.incident_pk(workspace_id, incident_id)
        start = decode_cursor(
            cursor, partition_attribute="pk", partition_value=partition, sort_prefix=keys.EVENT_PREFIX
        )
        results = TimelineEventRecord.query(
            partition,
            TimelineEventRecord.sk.startswith(keys.EVENT_PREFIX),
            limit=limit,
            last_evaluated_key=start,
            page_size=limit,
        )
        items = [record_to_event(record) for record in results]
        next_cursor = encode_cursor(results.last_evaluated_key) if len(items) == limit else None
        return Page(items=items, cursor=next_cursor)

    def children(self, workspace_id: str, incident_id: str) -> list[dict[str, Any]]:
        results = ChildLinkRecord.query(
            keys.incident_pk(workspace_id, incident_id), ChildLinkRecord.sk.startswith(keys.CHILD_PREFIX)
        )
        return [
            {"incident_id": link.child_id, "correlation_reason": link.correlation_reason, "created_at": link.created_at}
            for link in results
        ]

    def actions(self, workspace_id: str, incident_id: str) -> list[ActionRecord]:
        results = ActionItemRecord.query(
            keys.incident_pk(workspace_id, incident_id), ActionItemRecord.sk.startswith(keys.ACTION_PREFIX)
        )
        return [record_to_action(record) for record in results]

    def activity(self, workspace_id: str | None, limit: int) -> list[ActionRecord]:
        if workspace_id is not None:
            results = ActionItemRecord.by_workspace.query(
                keys.workspace_activity(workspace_id), scan_index_forward=False, limit=limit
            )
        else:
            results = ActionItemRecord.across_workspaces.query(keys.ALL_ACTIVITY, scan_index_forward=False, limit=limit)
        return [record_to_action(record) for record in results]

    def resolved_since(
        self, workspace_id: str | None, since: datetime, max_duration_seconds: float, limit: int
    ) -> list[Incident]:
        condition = (
            (IncidentRecord.state == IncidentState.RESOLVED.value)
            & (IncidentRecord.duration_seconds <= max_duration_seconds)
            & (IncidentRecord.actions_taken == 0)
        )
        index, partition, _attribute, sort_key = _incident_listing(workspace_id)
        results = index.query(
            partition,
            sort_key >= keys.stamp(since),
            scan_index_forward=False,
            filter_condition=condition,
            limit=limit,
            page_size=_FILTERED_PAGE_SIZE,
        )
        return [record_to_incident(record) for record in results]

    # -- helpers ----------------------------------------------------------------------------------

    def _transaction(self) -> _Transaction:
        return _Transaction(self._connection)

    @staticmethod
    def _add_history(
        tx: TransactWrite, workspace_id: str, events: Sequence[TimelineEvent], action: ActionRecord | None
    ) -> None:
        for sequence, event in enumerate(events):
            tx.save(event_to_record(workspace_id, event, sequence))
        if action is not None:
            tx.save(action_to_record(workspace_id, action))

    def _batch_get(self, wanted: list[dict[str, Any]]) -> list[dict[str, Any]]:
        connection = Record._get_connection()
        found: list[dict[str, Any]] = []
        pending = wanted
        # BatchGetItem may leave keys unprocessed under throttling; ask again for those only.
        for _attempt in range(5):
            try:
                # PynamoDB's annotation says Sequence[str]; it takes (and needs) typed key maps.
                data = connection.batch_get_item(pending, consistent_read=True)  # type: ignore[arg-type]
            except PynamoDBException as error:
                raise StorageError("reading alert context failed") from error
            found.extend(data.get("Responses", {}).get(connection.table_name, []))
            pending = data.get("UnprocessedKeys", {}).get(connection.table_name, {}).get("Keys", [])
            if not pending:
                return found
        raise StorageError("reading alert context failed: keys left unprocessed")

    def _live_claim(self, incident: Incident) -> FingerprintRecord | None:
        try:
            claim = FingerprintRecord.get(
                keys.fingerprint_pk(incident.workspace_id, incident.fingerprint),
                keys.FINGERPRINT_SK,
                consistent_read=True,
            )
        except FingerprintRecord.DoesNotExist:
            return None
        return claim if claim.incident_id == incident.id else None


def _incident_listing(workspace_id: str | None) -> tuple[Any, str, str, Any]:
    """Where incidents are listed newest first: one workspace's index partition, or every workspace's
    (only for a caller whose key sees them all). (index, partition, its attribute, sort key attribute)."""
    if workspace_id is not None:
        return IncidentRecord.by_workspace, keys.workspace_incidents(workspace_id), "gsi1pk", IncidentRecord.gsi1sk
    return IncidentRecord.across_workspaces, keys.ALL_INCIDENTS, "gsi2pk", IncidentRecord.gsi2sk


def _key(pk: str, sk: str) -> dict[str, dict[str, str]]:
    return {"pk": {"S": pk}, "sk": {"S": sk}}


class _Transaction:
    """TransactWrite that turns lost conditions into ConflictError and other failures into StorageError."""

    def __init__(self, connection: Connection):
        self._tx = TransactWrite(connection=connection)

    def __enter__(self) -> TransactWrite:
        return self._tx.__enter__()

    def __exit__(self, exc_type: Any, exc: Any, traceback: Any) -> None:
        if exc_type is not None:
            return  # let the caller's own error through; nothing was committed
        try:
            self._tx.__exit__(None, None, None)
        except TransactWriteError as error:
            codes = [reason.code for reason in error.cancellation_reasons if reason is not None]
            if error.cause_response_code == "TransactionCanceledException" and set(codes) <= {
                "ConditionalCheckFailed",
                "TransactionConflict",
                "None",
            }:
                raise ConflictError("a concurrent change won; re-read and retry", details={"reasons": codes}) from error
            # Not the error's text: botocore's carries the endpoint's address (core/dependencies.py names it).
            code = error.cause_response_code
            raise StorageError(f"transaction failed ({code})" if code else "transaction failed") from error
        except PynamoDBException as error:
            raise StorageError("transaction failed") from error
