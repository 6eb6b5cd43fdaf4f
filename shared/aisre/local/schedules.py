"""EventBridge schedules, locally: a thread per enabled Schedule event of a template function calls the function's
handler in-process at the rule's rate, with the event EventBridge would send (the rule's Input, else a "Scheduled
Event"), as pollers.py does for SQS event sources.

Only `rate(...)` expressions run here; a `cron(...)` rule is logged and left out (none of the template's is one).
Like EventBridge's rate rules, the first invocation comes one interval after the start. Unlike EventBridge, which
invokes asynchronously and may overlap invocations, a rule's invocations here run one after another."""

from __future__ import annotations

import json
import logging
import re
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from aisre.local.functions import Handler, LambdaContext
from aisre.local.provision import ScheduleEventSource
from aisre.local.template import LOCAL_ACCOUNT_ID
from aisre.local.workers import BackgroundLoop

logger = logging.getLogger(__name__)

_RATE = re.compile(r"^rate\(\s*(\d+)\s+(minute|minutes|hour|hours|day|days)\s*\)$")
_UNIT_SECONDS = {"minute": 60, "hour": 3600, "day": 86400}


def rate_seconds(expression: str) -> float | None:
    """The interval of a `rate(N unit)` expression (EventBridge's: a value of 1 takes the singular unit); None for
    anything else (cron, at)."""
    match = _RATE.match(expression.strip())
    if match is None:
        return None
    value, unit = int(match.group(1)), match.group(2)
    if value < 1 or (value == 1) != (not unit.endswith("s")):
        return None  # EventBridge refuses "rate(1 minutes)" and "rate(2 minute)"
    return float(value * _UNIT_SECONDS[unit.rstrip("s")])


def scheduled_event(source: ScheduleEventSource, rule_arn: str, region: str) -> Any:
    """What EventBridge passes the target: the rule's constant Input when it has one, else the Scheduled Event."""
    if source.input is not None:
        return json.loads(source.input)
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": LOCAL_ACCOUNT_ID,
        "time": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": region,
        "resources": [rule_arn],
        "detail": {},
    }


class ScheduleRunner(BackgroundLoop):
    """One thread that invokes `handler` at the rule's rate until stopped."""

    def __init__(
        self,
        source: ScheduleEventSource,
        handler: Handler,
        context_factory: Callable[[], LambdaContext],
        *,
        region: str,
        rule_arn: str,
        interval_seconds: float | None = None,
        name: str | None = None,
    ) -> None:
        interval = interval_seconds if interval_seconds is not None else rate_seconds(source.expression)
        if interval is None:
            raise ValueError(f"schedule {source.name}: {source.expression!r} is not a rate expression")
        self.source = source
        self.handler = handler
        self.context_factory = context_factory
        self.region = region
        self.rule_arn = rule_arn
        # Tests run a rule faster than its rate; the server always runs it at its rate.
        self.interval_seconds = interval
        super().__init__(name or f"schedule-{source.name}")
        self.invocations = 0
        self.errors = 0
        self.last_result: Any = None

    def _run(self) -> None:
        while not self._stop.wait(self.interval_seconds):
            self.invoke_once()

    def invoke_once(self) -> Any:
        """One invocation as the rule makes it; a failure is logged and counted (EventBridge would retry it)."""
        self.invocations += 1
        try:
            self.last_result = self.handler(
                scheduled_event(self.source, self.rule_arn, self.region), self.context_factory()
            )
        except Exception:
            self.errors += 1
            logger.exception("schedule %s: the handler raised", self.name)
            return None
        return self.last_result
