"""A payload's alerts as runs: the repeats of a firing fingerprint together, a resolution on its own."""

from __future__ import annotations

from aisre.incidents.model.alert import Alert, AlertStatus
from aisre.incidents.model.payload_runs import plan_runs


def alert(fingerprint: str, service: str | None = None, status: str = "firing") -> Alert:
    return Alert(
        provider="alertmanager",
        source="prometheus",
        title=fingerprint,
        fingerprint=fingerprint,
        service=service,
        status=AlertStatus(status),
    )


def test_repeats_of_a_firing_fingerprint_join_its_first_run():
    alerts = [alert("a"), alert("b"), alert("a"), alert("c"), alert("a"), alert("b")]
    runs = plan_runs(alerts)
    assert [(run.alert.fingerprint, run.positions) for run in runs] == [("a", (0, 2, 4)), ("b", (1, 5)), ("c", (3,))]
    assert [run.count for run in runs] == [3, 2, 1]


def test_a_resolution_ends_the_run_and_a_later_firing_starts_another():
    alerts = [alert("a"), alert("a"), alert("a", status="resolved"), alert("a"), alert("a", status="resolved")]
    runs = plan_runs(alerts)
    assert [(run.alert.status.value, run.positions) for run in runs] == [
        ("firing", (0, 1)),
        ("resolved", (2,)),
        ("firing", (3,)),
        ("resolved", (4,)),
    ]


def test_every_position_is_in_exactly_one_run():
    alerts = [alert(f"fp{index % 7}", status="resolved" if index % 5 == 4 else "firing") for index in range(50)]
    positions = sorted(position for run in plan_runs(alerts) for position in run.positions)
    assert positions == list(range(50))
