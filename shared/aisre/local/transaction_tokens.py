"""TransactWriteItems' ClientRequestToken, honoured as DynamoDB honours it (moto ignores it).

botocore fills the token of every TransactWriteItems itself (an idempotency token in the service model) and
sends the same one, in the same body, on each retry. DynamoDB answers a repeat of a successful transaction (the
same token within 10 minutes) with success and does not apply it again; the same token with other parameters
is an IdempotentParameterMismatchException. Without this, a transaction that was applied but whose answer was
lost (a 500 after the write, a dropped connection, a read timeout) would be applied twice by botocore's retry:
an alert counted twice, or the retry failing its own condition against the first attempt's write and the
platform taking that for a concurrent writer.
"""

from __future__ import annotations

import hashlib
import re
import time
from collections import OrderedDict
from collections.abc import Callable

from aisre.local.intercept import Answer, Call, Proceed, dynamodb_error

WINDOW_SECONDS = 600.0  # DynamoDB's: a token is idempotent for 10 minutes
MAX_TOKENS = 100_000  # at the emulator's few hundred transactions a second, more than the window holds

_TOKEN = re.compile(rb'"ClientRequestToken"\s*:\s*"([^"\\]{1,64})"')


class TransactionTokens:
    """The interceptor: remembers each successful transaction's token, body digest and answer."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._done: OrderedDict[bytes, tuple[float, bytes, Answer]] = OrderedDict()
        self.repeats_answered = 0

    def __call__(self, call: Call, proceed: Proceed) -> Answer:
        if call.operation != "TransactWriteItems":
            return proceed()
        match = _TOKEN.search(call.body)
        if match is None:
            return proceed()
        token = match.group(1)
        now = self._clock()
        self._forget_older_than(now - WINDOW_SECONDS)
        digest = hashlib.sha256(call.body).digest()
        done = self._done.get(token)
        if done is not None:
            _at, done_digest, answer = done
            if done_digest != digest:
                return dynamodb_error(
                    400,
                    "IdempotentParameterMismatchException",
                    "The request uses the same client token as a previous, but non-identical request.",
                )
            self.repeats_answered += 1
            return answer
        answer = proceed()
        if 200 <= answer.status < 300:
            self._done[token] = (now, digest, answer)
            while len(self._done) > MAX_TOKENS:
                self._done.popitem(last=False)
        return answer

    def _forget_older_than(self, horizon: float) -> None:
        while self._done:
            token, (at, _digest, _answer) = next(iter(self._done.items()))
            if at >= horizon:
                return
            del self._done[token]
