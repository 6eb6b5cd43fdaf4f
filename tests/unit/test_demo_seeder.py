"""The seeder's once-per-workspace logic over an in-memory marker store: a seeded workspace answers its seed with
`created` false and touches no service; a workspace another request is seeding is refused (409) until its lease
passes; a seeding that fails lets its claim go, so the next request may seed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any, cast

import pytest

from aisre.demo.errors import SeedingInProgressError
from aisre.demo.model.seed import SeedMarker, SeedResult
from aisre.demo.service.seeding import SEED_LEASE, DemoSeeder, Platform

NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)


class Markers:
    """SeedMarkers in memory, with the DynamoDB store's conditions."""

    def __init__(self) -> None:
        self.items: dict[str, SeedMarker] = {}
        self.released: list[str] = []

    def find(self, workspace_id: str) -> SeedMarker | None:
        return self.items.get(workspace_id)

    def claim(self, workspace_id: str, now: datetime, lease_until: datetime) -> bool:
        held = self.items.get(workspace_id)
        if held is not None and not (held.status == "seeding" and held.lease_until <= now):
            return False
        self.items[workspace_id] = SeedMarker(
            workspace_id=workspace_id, status="seeding", claimed_at=now, lease_until=lease_until
        )
        return True

    def finish(self, result: SeedResult, claimed_at: datetime) -> None:
        self.items[result.workspace_id] = SeedMarker(
            workspace_id=result.workspace_id,
            status="seeded",
            claimed_at=claimed_at,
            lease_until=claimed_at,
            result=result,
        )

    def release(self, workspace_id: str, claimed_at: datetime) -> None:
        self.released.append(workspace_id)
        self.items.pop(workspace_id, None)


class Untouchable:
    """Every service of the platform: none may be called on these paths."""

    def __getattr__(self, name: str) -> Any:
        raise AssertionError(f"the platform was called ({name}) when nothing was to be made")


class Broken:
    def create_schedule(self, *args: Any) -> Any:
        raise RuntimeError("the table is down")


def platform(**parts: Any) -> Platform:
    names = ("intake", "incidents", "deploys", "starts", "diagnoses", "approvals", "schedules", "policies")
    return Platform(**{name: parts.get(name, Untouchable()) for name in names})


def result(workspace_id: str) -> SeedResult:
    return SeedResult(
        workspace_id=workspace_id,
        created=True,
        seeded_at=NOW,
        main_incident_id="inc-1",
        incidents=[],
        alerts_sent=56,
        incident_count=6,
        deploy_id="deploy-1",
        investigation_ids=["inv-1"],
        resolved_incident_id="inc-0",
        dead_letter_id="dlq-1",
    )


def test_a_seeded_workspace_answers_its_seed_and_makes_nothing():
    markers = Markers()
    markers.finish(result("ws-a"), NOW)
    answer = DemoSeeder(platform(), cast(Any, markers), clock=lambda: NOW + timedelta(hours=1)).seed("ws-a")
    assert answer == result("ws-a").model_copy(update={"created": False})


def test_a_workspace_being_seeded_is_refused_until_its_lease_passes():
    markers = Markers()
    assert markers.claim("ws-a", NOW, NOW + SEED_LEASE)
    seeder = DemoSeeder(platform(schedules=Broken()), cast(Any, markers), clock=lambda: NOW + timedelta(seconds=5))
    with pytest.raises(SeedingInProgressError, match="seeding in progress"):
        seeder.seed("ws-a")
    # Past the lease the seeding is taken over (here it fails at its first part, and lets the claim go).
    late = DemoSeeder(platform(schedules=Broken()), cast(Any, markers), clock=lambda: NOW + SEED_LEASE)
    with pytest.raises(RuntimeError, match="the table is down"):
        late.seed("ws-a")
    assert markers.released == ["ws-a"] and markers.find("ws-a") is None
