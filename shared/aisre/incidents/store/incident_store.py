"""IncidentStore on DynamoDB: claims, incidents, timelines and groups, with conditional transactions."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from pynamodb.connection import Connection
from pynamodb.exceptions import PynamoDBException, TransactWriteError
from pynamodb.transactions import TransactWrite

from aisre.core.errors import ConflictError, StorageError
from aisre.core.paging import Page
from aisre.core.table.by_id import get_by_id
from aisre.core.table.paging import decode_cursor, encode_cursor
from aisre.incidents.model.alert import Alert
from aisre.incidents.model.correlation import OpenFingerprint, OpenIncident, ServiceAnchor
from aisre.incidents.model.deploy import Deploy
from aisre.incidents.model.incident import ActionRecord, Incident, IncidentState, TimelineEvent
from aisre.incidents.model.noisy import NoisyIncident
from aisre.incidents.ports import AlertContext, AlertContexts
from aisre.incidents.store import keys, listing
from aisre.incidents.store.batch import batch_get, item_key, with_live_alert_counts
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
    NoisyEntryRecord,
    TimelineEventRecord,
    UnmatchedResolutionRecord,
)
from aisre.incidents.store.transitions import acknowledged_updates, counted, resolution

_UNMATCHED_RETENTION = timedelta(days=7)


class DynamoIncidentStore:
    def __init__(self, connection: Connection):
        # Transactions need an explicit connection: PynamoDB's default one ignores the models' host.
        self._connection = connection

    # -- the alert path ---------------------------------------------------------------------------

    def load_alert_context(
        self, workspace_id: str, fingerprint: str, service: str | None, deploy_service: str | None = None
    ) -> AlertContext:
        contexts = self.load_alert_contexts(
            workspace_id, [fingerprint], [service] if service else [], [deploy_service] if deploy_service else []
        )
        return AlertContext(
            fingerprint=fingerprint,
            service=service,
            open_fingerprint=contexts.claims.get(fingerprint),
            anchor=contexts.anchors.get(service) if service else None,
            latest_deploy=contexts.deploys.get(deploy_service) if deploy_service else None,
        )

    def load_alert_contexts(
        self,
        workspace_id: str,
        fingerprints: Sequence[str],
        services: Sequence[str],
        deploy_services: Sequence[str],
    ) -> AlertContexts:
        # Each key once (BatchGetItem refuses a request naming a key twice), remembering what it is for.
        wanted: dict[tuple[str, str], str] = {}
        for fingerprint in fingerprints:
            wanted[(keys.fingerprint_pk(workspace_id, fingerprint), keys.FINGERPRINT_SK)] = fingerprint
        for service in services:
            wanted[(keys.service_pk(workspace_id, service), keys.ANCHOR_SK)] = service
        for service in deploy_services:
            wanted[(keys.service_pk(workspace_id, service), keys.LATEST_DEPLOY_SK)] = service
        contexts = AlertContexts(
            claims=dict.fromkeys(fingerprints),
            anchors=dict.fromkeys(services),
            deploys=dict.fromkeys(deploy_services),
        )
        # batch_get asks 100 keys a request (DynamoDB's most).
        for item in batch_get([item_key(pk, sk) for pk, sk in wanted], "alert context"):
            sort_key = item["sk"]["S"]
            name = wanted[(item["pk"]["S"], sort_key)]
            if sort_key == keys.FINGERPRINT_SK:
                claim = FingerprintRecord.from_raw_data(item)
                contexts.claims[name] = OpenFingerprint(
                    incident_id=claim.incident_id,
                    alert_count=int(claim.alert_count),
                    opened_at=claim.opened_at,
                    group_id=claim.group_id,
                    last_alert_at=claim.last_alert_at,
                )
            elif sort_key == keys.ANCHOR_SK:
                anchor = AnchorRecord.from_raw_data(item)
                contexts.anchors[name] = ServiceAnchor(incident_id=anchor.incident_id, opened_at=anchor.opened_at)
            elif sort_key == keys.LATEST_DEPLOY_SK:
                contexts.deploys[name] = Deploy.model_validate(LatestDeployRecord.from_raw_data(item).deploy)
        return contexts

    def open_incident(self, incident: Incident, events: Sequence[TimelineEvent], decision: OpenIncident) -> None:
        ws = incident.workspace_id
        claim = FingerprintRecord(
            pk=keys.fingerprint_pk(ws, incident.fingerprint),
            sk=keys.FINGERPRINT_SK,
            incident_id=incident.id,
            alert_count=incident.alert_count,
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

    def fold_alert(
        self, workspace_id: str, incident_id: str, fingerprint: str, event: TimelineEvent, count: int = 1
    ) -> None:
        claim = FingerprintRecord(pk=keys.fingerprint_pk(workspace_id, fingerprint), sk=keys.FINGERPRINT_SK)
        with self._transaction() as tx:
            tx.update(
                claim,
                actions=[
                    FingerprintRecord.alert_count.add(count),
                    FingerprintRecord.last_alert_at.set(event.created_at),
                ],
                condition=FingerprintRecord.incident_id == incident_id,
            )
            tx.save(event_to_record(workspace_id, event))

    def append_event(self, workspace_id: str, event: TimelineEvent) -> None:
        event_to_record(workspace_id, event).save()

    def record_action(self, workspace_id: str, action: ActionRecord, events: Sequence[TimelineEvent]) -> None:
        target = IncidentRecord(pk=keys.incident_pk(workspace_id, action.incident_id), sk=keys.INCIDENT_SK)
        with self._transaction() as tx:
            # The count moves with the record it counts; the condition keeps an action off an incident that is gone.
            tx.update(target, actions=counted(action), condition=IncidentRecord.pk.exists())
            # An incident someone acted on is not noisy (docs/data-model.md): its entry, if it has one, goes with
            # the action. Always, not only when read resolved: a resolution may land between that read and this.
            tx.delete(NoisyEntryRecord(pk=keys.incident_pk(workspace_id, action.incident_id), sk=keys.NOISY_SK))
            self._add_history(tx, workspace_id, events, action)

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
                actions=acknowledged_updates(workspace_id, at, action),
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
        current: Incident | None = None,
    ) -> None:
        if current is None:
            # The incident item alone: the claim read in `context` carries the live alert count.
            current = self._incident_item(workspace_id, incident_id)
        claim = context.open_fingerprint
        owned = claim if claim is not None and claim.incident_id == incident_id else None
        change = resolution(current, at, owned, action, alerts_received)
        target = IncidentRecord(pk=keys.incident_pk(workspace_id, incident_id), sk=keys.INCIDENT_SK)
        with self._transaction() as tx:
            # Unchanged since read: the noisy entry below was decided on this state and action count.
            tx.update(target, actions=change.updates, condition=change.condition)
            if owned is not None:
                tx.delete(
                    FingerprintRecord(
                        pk=keys.fingerprint_pk(workspace_id, context.fingerprint), sk=keys.FINGERPRINT_SK
                    ),
                    # Unchanged since read: a duplicate folded meanwhile retries, so no count is lost.
                    condition=(FingerprintRecord.incident_id == incident_id)
                    & (FingerprintRecord.alert_count == owned.alert_count),
                )
            if context.service and context.anchor is not None and context.anchor.incident_id == incident_id:
                tx.delete(
                    AnchorRecord(pk=keys.service_pk(workspace_id, context.service), sk=keys.ANCHOR_SK),
                    condition=AnchorRecord.incident_id == incident_id,
                )
            if change.noisy_entry is not None:
                tx.save(change.noisy_entry)
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
        """The incident; while open, with the alert count and last alert its fingerprint claim holds."""
        return with_live_alert_counts([self._incident_item(workspace_id, incident_id)])[0]

    def list_incidents(
        self, workspace_id: str | None, state: IncidentState | None, limit: int, cursor: str | None
    ) -> Page[Incident]:
        return listing.list_incidents(workspace_id, state, limit, cursor)

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

    def recent_events(self, workspace_id: str, incident_id: str, limit: int) -> list[TimelineEvent]:
        results = TimelineEventRecord.query(
            keys.incident_pk(workspace_id, incident_id),
            TimelineEventRecord.sk.startswith(keys.EVENT_PREFIX),
            scan_index_forward=False,
            limit=limit,
            page_size=limit,
        )
        return [record_to_event(record) for record in results]

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

    def noisy_incidents(
        self, workspace_id: str | None, since: datetime, max_duration_seconds: float, limit: int
    ) -> list[NoisyIncident]:
        return listing.noisy_incidents(workspace_id, since, max_duration_seconds, limit)

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

    @staticmethod
    def _incident_item(workspace_id: str | None, incident_id: str) -> Incident:
        record = get_by_id(
            IncidentRecord,
            workspace_id,
            id_key=keys.incident_id_key(incident_id),
            key=lambda workspace: (keys.incident_pk(workspace, incident_id), keys.INCIDENT_SK),
            what=f"incident {incident_id}",
            field="incident_id",
        )
        return record_to_incident(record)


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
