"""A payload's alerts as runs: the firing repeats of one fingerprint, taken together, in payload order.

Pure. A firing alert whose fingerprint already has a firing run in the payload (with no resolution of that
fingerprint in between) can only fold into what that run opened or folded into; folding touches no claim
and no anchor, so no other alert's fate depends on when it is written. Joining it to the earlier run
changes nothing but the number of writes: the run is written once, with its count.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from aisre.incidents.model.alert import Alert


@dataclass(frozen=True)
class AlertRun:
    """One alert standing for the alerts at `positions` of the payload (the first of them is `alert`)."""

    alert: Alert
    positions: tuple[int, ...]

    @property
    def count(self) -> int:
        return len(self.positions)


def plan_runs(alerts: Sequence[Alert]) -> list[AlertRun]:
    """The runs of `alerts`, ordered by their first position. A resolved alert is a run of its own and ends
    its fingerprint's firing run: a firing alert after it may open a new incident, so it starts a new run."""
    runs: list[tuple[Alert, list[int]]] = []
    firing_run: dict[str, int] = {}  # fingerprint -> index in `runs` of its open firing run
    for position, alert in enumerate(alerts):
        if alert.is_resolved:
            firing_run.pop(alert.fingerprint, None)
            runs.append((alert, [position]))
            continue
        index = firing_run.get(alert.fingerprint)
        if index is None:
            firing_run[alert.fingerprint] = len(runs)
            runs.append((alert, [position]))
        else:
            runs[index][1].append(position)
    return [AlertRun(alert, tuple(positions)) for alert, positions in runs]
