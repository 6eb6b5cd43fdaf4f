"""The dead-letter store: payloads that failed, with their error, to inspect and replay."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Query

from aisre.alerts.api.schemas import DeadLetterList, DeadLetterPublic, ReplayResponse
from aisre.alerts.model.dead_letter import DeadLetter
from aisre.alerts.model.payload import load_json
from aisre.alerts.providers import dead_letter_service
from aisre.alerts.service.dead_letters import DeadLetterService
from aisre.core.errors import PayloadError
from aisre.core.http.deps import ReadWorkspace, provide
from aisre.core.http.routing import ApiRouter
from aisre.core.http.schemas import READ_ERRORS, error_responses

DeadLettersDep = Annotated[DeadLetterService, provide(dead_letter_service)]

router = ApiRouter(tags=["dead-letter"])


def dead_letter_public(entry: DeadLetter) -> dict[str, Any]:
    text = entry.body.decode("utf-8", errors="replace")
    try:
        payload: Any = load_json(text)
    except PayloadError:
        payload = text  # kept as received (whatever bytes it holds); the error says why it was refused
    return {
        "id": entry.id,
        "workspace_id": entry.workspace_id,
        "source": entry.source,
        "error": entry.error,
        "error_type": entry.error_type,
        "status_code": entry.status_code,
        "channel": entry.channel,
        "payload": payload,
        "content_type": entry.content_type,
        "size_bytes": len(entry.body),
        "timestamp": entry.received_at,
        "replay_count": entry.replay_count,
        "replayed_at": entry.replayed_at,
        "replay_result": entry.replay_result,
    }


@router.get("/webhook/dead-letter", response_model=DeadLetterList, responses=error_responses(*READ_ERRORS))
def list_dead_letters(
    dead_letters: DeadLettersDep, workspace: ReadWorkspace, limit: Annotated[int, Query(ge=1, le=1000)] = 100
) -> dict[str, Any]:
    """Payloads that failed processing, newest first."""
    entries = dead_letters.list_entries(workspace, limit)
    return {"entries": [dead_letter_public(entry) for entry in entries], "count": len(entries)}


@router.get(
    "/webhook/dead-letter/{entry_id}", response_model=DeadLetterPublic, responses=error_responses(404, *READ_ERRORS)
)
def get_dead_letter(entry_id: str, dead_letters: DeadLettersDep, workspace: ReadWorkspace) -> dict[str, Any]:
    return dead_letter_public(dead_letters.get(workspace, entry_id))


@router.post(
    "/webhook/dead-letter/{entry_id}/replay",
    response_model=ReplayResponse,
    responses=error_responses(
        400,
        404,
        *READ_ERRORS,
        502,
        _400="The payload still fits no shape its source sends (the entry records this result)",
        _422="A field of the payload still has an unusable value (the entry records this result)",
    ),
)
def replay_dead_letter(entry_id: str, dead_letters: DeadLettersDep, workspace: ReadWorkspace) -> dict[str, Any]:
    """Run a dead-lettered payload through intake again (after a fix); the entry records the result."""
    return dead_letters.replay(workspace, entry_id)
