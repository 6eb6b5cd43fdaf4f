"""Injected faults: a share of the emulator's DynamoDB data-plane requests fail the ways DynamoDB fails.

`AISRE_LOCAL_FAULT_RATE=0.1` (or `aisre serve --fault-rate 0.1`) makes each data-plane request (reads and
writes of items; never CreateTable, DescribeTable and the like, so the stack still starts) fail with that
probability, in one of three ways, equally likely:

- throttled, not applied: 400 ProvisionedThroughputExceededException (botocore retries it, with backoff);
- failed, not applied: 500 InternalServerError (botocore retries it);
- applied, then answered 500 InternalServerError: the write is done (and journaled) but the client is told it
  failed, as DynamoDB documents can happen. botocore retries it; a transaction's retry is then answered by its
  ClientRequestToken (local/transaction_tokens.py), any other write is applied again, so the platform's
  writes must be safe to repeat.

A read "applied then failed" is simply a failed read.
"""

from __future__ import annotations

import random
from collections import Counter

from aisre.local.intercept import Answer, Call, Proceed, dynamodb_error

DATA_PLANE = frozenset(
    {
        "GetItem", "BatchGetItem", "Query", "Scan", "TransactGetItems",
        "PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems",
    }
)  # fmt: skip

THROTTLED = "throttled"
FAILED = "failed"
FAILED_AFTER_WRITE = "failed_after_write"
KINDS = (THROTTLED, FAILED, FAILED_AFTER_WRITE)

_THROTTLED_MESSAGE = (
    "The level of configured provisioned throughput for the table was exceeded. "
    "Consider increasing your provisioning level with the UpdateTable API. (injected by AISRE_LOCAL_FAULT_RATE)"
)
_FAILED_MESSAGE = "Internal server error (injected by AISRE_LOCAL_FAULT_RATE)"


def parse_rate(text: str | float | None) -> float:
    """A fault rate from a setting: a number from 0 to 1 (empty: 0)."""
    if text is None or text == "":
        return 0.0
    try:
        rate = float(text)
    except ValueError:
        raise ValueError(f"AISRE_LOCAL_FAULT_RATE must be a number from 0 to 1, not {text!r}") from None
    if not 0.0 <= rate <= 1.0:
        raise ValueError(f"AISRE_LOCAL_FAULT_RATE must be from 0 to 1, not {rate}")
    return rate


class FaultInjector:
    """The interceptor (outermost, so that a fault after the write comes after the journal and the token)."""

    def __init__(self, rate: float, rng: random.Random | None = None) -> None:
        self.rate = rate
        self._rng = rng or random.Random()
        self.injected: Counter[str] = Counter()

    def __call__(self, call: Call, proceed: Proceed) -> Answer:
        if call.operation not in DATA_PLANE or self._rng.random() >= self.rate:
            return proceed()
        kind = self._rng.choice(KINDS)
        self.injected[kind] += 1
        if kind == THROTTLED:
            return dynamodb_error(400, "ProvisionedThroughputExceededException", _THROTTLED_MESSAGE)
        if kind == FAILED_AFTER_WRITE:
            proceed()
        return dynamodb_error(500, "InternalServerError", _FAILED_MESSAGE)

    def counts(self) -> dict[str, int]:
        return {kind: self.injected[kind] for kind in KINDS}
