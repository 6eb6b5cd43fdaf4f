"""DeadLetterService: list what failed, and replay it through the same intake once it can succeed."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from aisre.alerts.model.dead_letter import DeadLetter
from aisre.alerts.ports import DeadLetterStore
from aisre.alerts.service.intake import AlertIntake, Received
from aisre.core.clock import utc_now
from aisre.core.errors import AisreError

# What replays an entry of a channel whose failure was not reading alerts (an SNS confirmation, say).
ChannelReplayer = Callable[[DeadLetter], dict[str, Any]]


class DeadLetterService:
    def __init__(
        self,
        store: DeadLetterStore,
        intake: AlertIntake,
        *,
        clock: Callable[[], datetime] = utc_now,
        channel_replayers: Mapping[str, ChannelReplayer] | None = None,
    ):
        self._store = store
        self._intake = intake
        self._clock = clock
        self._channel_replayers = dict(channel_replayers or {})

    def list_entries(self, workspace_id: str | None, limit: int) -> list[DeadLetter]:
        return self._store.list_entries(workspace_id, limit)

    def get(self, workspace_id: str | None, entry_id: str) -> DeadLetter:
        return self._store.get(workspace_id, entry_id)

    def replay(self, workspace_id: str | None, entry_id: str) -> dict[str, Any]:
        """Run the stored bytes through intake again, into the entry's own workspace.

        The entry stays (marked with the result) so the record of what failed is not lost; a replay
        that fails again raises, and the entry keeps its original error alongside the new result.
        """
        entry = self._store.get(workspace_id, entry_id)
        replay = self._channel_replayers.get(entry.channel, self._replay_alerts)
        try:
            result = replay(entry)
        except AisreError as error:
            self._store.mark_replayed(entry, self._clock(), {"ok": False, "error": error.message})
            raise
        self._store.mark_replayed(entry, self._clock(), recorded_result(result))
        return {"replayed": True, "entry_id": entry.id, "workspace_id": entry.workspace_id, "result": result}

    def _replay_alerts(self, entry: DeadLetter) -> dict[str, Any]:
        """The entry's alerts, ingested. A payload over MAX_ALERTS_PER_PAYLOAD (refused 413 when it came,
        e.g. an Alertmanager group of 5,000) is taken whole here, in chunks of the cap: replay is an
        operator's decision, not a sender's retry, and the cap is about one request's work."""
        alerts = self._intake.read_alerts(entry.source, entry.body, entry.content_type, capped=False)
        received = Received(entry.source, entry.body, entry.content_type)
        chunk = self._intake.max_alerts_per_payload
        return self._intake.ingest_alerts(entry.workspace_id, alerts, received, chunk_size=chunk).response()


# Past this many alerts a replay's result is recorded on its entry as counts: each alert's outcome is ~200
# bytes, and the entry is one item (5,000 outcomes would pass DynamoDB's 400 KB).
RECORDED_OUTCOMES = 100


def recorded_result(result: dict[str, Any]) -> dict[str, Any]:
    """What the entry keeps of a replay's result: all of it, or its outcomes counted by action."""
    outcomes = result.get("alerts")
    if not isinstance(outcomes, list) or len(outcomes) <= RECORDED_OUTCOMES:
        return result
    actions = Counter(str(outcome.get("action")) for outcome in outcomes)
    return {key: value for key, value in result.items() if key != "alerts"} | {"alerts_by_action": dict(actions)}
