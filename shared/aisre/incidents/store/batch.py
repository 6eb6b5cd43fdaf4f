"""BatchGetItem with its unprocessed keys asked for again, and the live alert counts read that way."""

from __future__ import annotations

from typing import Any

from pynamodb.exceptions import PynamoDBException

from aisre.core.errors import StorageError
from aisre.incidents.model.incident import Incident
from aisre.incidents.store import keys
from aisre.incidents.store.records import FingerprintRecord, Record

# DynamoDB's most keys per BatchGetItem: a listing page (at most 100 incidents) fits in one.
MAX_KEYS_PER_BATCH = 100


def item_key(pk: str, sk: str) -> dict[str, dict[str, str]]:
    return {"pk": {"S": pk}, "sk": {"S": sk}}


def batch_get(wanted: list[dict[str, Any]], what: str) -> list[dict[str, Any]]:
    """The items of `wanted` (keys as item_key() makes them) that exist, strongly consistent; `what` names
    the read in a StorageError."""
    connection = Record._get_connection()
    found: list[dict[str, Any]] = []
    for first in range(0, len(wanted), MAX_KEYS_PER_BATCH):
        pending = wanted[first : first + MAX_KEYS_PER_BATCH]
        # BatchGetItem may leave keys unprocessed under throttling; ask again for those only.
        for _attempt in range(5):
            try:
                # PynamoDB's annotation says Sequence[str]; it takes (and needs) typed key maps.
                data = connection.batch_get_item(pending, consistent_read=True)  # type: ignore[arg-type]
            except PynamoDBException as error:
                # Not the error's text: botocore's carries the endpoint's address (core/dependencies.py names it).
                raise StorageError(f"reading {what} failed") from error
            found.extend(data.get("Responses", {}).get(connection.table_name, []))
            pending = data.get("UnprocessedKeys", {}).get(connection.table_name, {}).get("Keys", [])
            if not pending:
                break
        else:
            raise StorageError(f"reading {what} failed: keys left unprocessed")
    return found


def with_live_alert_counts(incidents: list[Incident]) -> list[Incident]:
    """`incidents` with the open ones' alert_count and last_alert_at as their fingerprint claims hold them
    now (duplicates update only the claim: docs/data-model.md), read in one BatchGetItem per 100 open."""
    still_open = [incident for incident in incidents if incident.is_open]
    if not still_open:
        return incidents
    # One key once: BatchGetItem refuses a request that names a key twice.
    claim_keys = dict.fromkeys(keys.fingerprint_pk(i.workspace_id, i.fingerprint) for i in still_open)
    wanted = [item_key(pk, keys.FINGERPRINT_SK) for pk in claim_keys]
    claims: dict[str, FingerprintRecord] = {}
    for item in batch_get(wanted, "alert counts"):
        claim = FingerprintRecord.from_raw_data(item)
        claims[claim.incident_id] = claim
    return [_with_claim(incident, claims.get(incident.id)) for incident in incidents]


def _with_claim(incident: Incident, claim: FingerprintRecord | None) -> Incident:
    if claim is None or not incident.is_open:
        return incident
    last = claim.last_alert_at if incident.last_alert_at is None else max(incident.last_alert_at, claim.last_alert_at)
    return incident.model_copy(update={"alert_count": int(claim.alert_count), "last_alert_at": last})
