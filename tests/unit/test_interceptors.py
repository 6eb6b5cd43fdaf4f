"""The emulator's DynamoDB interceptors on their own: transaction tokens, injected faults, and their chain."""

from __future__ import annotations

import io
import json
import random
import threading
from typing import Any

import pytest

from aisre.local.faults import FAILED, FAILED_AFTER_WRITE, THROTTLED, FaultInjector, parse_rate
from aisre.local.intercept import Answer, Call, intercept_dynamodb
from aisre.local.transaction_tokens import WINDOW_SECONDS, TransactionTokens


class Moto:
    """Stands in for moto's handler: counts what it applied, answers 200 (or what it is told)."""

    def __init__(self, status: int = 200) -> None:
        self.applied = 0
        self.status = status

    def __call__(self) -> Answer:
        self.applied += 1
        return Answer(self.status, [("Content-Type", "application/x-amz-json-1.0")], b"{}")


def transaction(token: str, table: str = "t") -> Call:
    body = json.dumps({"TransactItems": [{"Put": {"TableName": table, "Item": {}}}], "ClientRequestToken": token})
    return Call("TransactWriteItems", body.encode(), {})


def error_type(answer: Answer) -> str:
    return str(json.loads(answer.body)["__type"]).rsplit("#", 1)[-1]


def test_a_repeated_transaction_token_is_answered_without_applying_it_again() -> None:
    tokens, moto = TransactionTokens(), Moto()
    first = tokens(transaction("tok-1"), moto)
    again = tokens(transaction("tok-1"), moto)
    assert (first.status, again.status, moto.applied, tokens.repeats_answered) == (200, 200, 1, 1)
    tokens(transaction("tok-2"), moto)
    assert moto.applied == 2


def test_a_token_reused_for_another_transaction_is_refused() -> None:
    tokens, moto = TransactionTokens(), Moto()
    tokens(transaction("tok-1", table="a"), moto)
    answer = tokens(transaction("tok-1", table="b"), moto)
    assert (answer.status, error_type(answer), moto.applied) == (400, "IdempotentParameterMismatchException", 1)


def test_a_failed_transaction_is_not_remembered_and_a_token_expires() -> None:
    now = [0.0]
    tokens, refused = TransactionTokens(clock=lambda: now[0]), Moto(status=400)
    tokens(transaction("tok-1"), refused)
    tokens(transaction("tok-1"), refused)
    assert refused.applied == 2  # a cancelled transaction may be tried again for real
    moto = Moto()
    tokens(transaction("tok-2"), moto)
    now[0] = WINDOW_SECONDS + 1
    tokens(transaction("tok-2"), moto)
    assert moto.applied == 2


def test_other_operations_pass_through_the_tokens() -> None:
    tokens, moto = TransactionTokens(), Moto()
    for _ in range(2):
        tokens(Call("PutItem", b'{"ClientRequestToken": "x"}', {}), moto)
    assert moto.applied == 2


@pytest.mark.parametrize("text,rate", [("", 0.0), (None, 0.0), ("0.1", 0.1), ("1", 1.0), (0.25, 0.25)])
def test_a_fault_rate_is_a_share(text: Any, rate: float) -> None:
    assert parse_rate(text) == rate


@pytest.mark.parametrize("text", ["-0.1", "1.5", "ten percent"])
def test_a_fault_rate_outside_0_to_1_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="AISRE_LOCAL_FAULT_RATE"):
        parse_rate(text)


def test_faults_come_in_three_kinds_at_the_rate_asked_and_only_on_the_data_plane() -> None:
    faults, moto = FaultInjector(0.1, random.Random(3)), Moto()
    answers = [faults(Call("PutItem", b"{}", {}), moto) for _ in range(3000)]
    failed = [answer for answer in answers if answer.status != 200]
    assert 240 <= len(failed) <= 360
    counts = faults.counts()
    assert sum(counts.values()) == len(failed) and min(counts.values()) > 50
    kinds = {(answer.status, error_type(answer)) for answer in failed}
    assert kinds == {(400, "ProvisionedThroughputExceededException"), (500, "InternalServerError")}
    # Throttled and failed requests were not applied; those failed after the write were.
    assert moto.applied == 3000 - counts[THROTTLED] - counts[FAILED]
    assert counts[FAILED_AFTER_WRITE] > 0
    control = FaultInjector(1.0)
    assert control(Call("CreateTable", b"{}", {}), moto).status == 200


def test_the_chain_runs_outermost_first_under_the_lock_and_serves_other_services_untouched() -> None:
    seen: list[str] = []
    lock = threading.RLock()

    def interceptor(name: str) -> Any:
        def intercept(call: Call, proceed: Any) -> Answer:
            assert lock._is_owned()  # type: ignore[attr-defined]
            seen.append(f"{name}:{call.operation}")
            return proceed()

        return intercept

    def moto_app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        seen.append("moto:" + environ["wsgi.input"].read().decode())
        start_response("200 OK", [("Content-Type", "application/x-amz-json-1.0")])
        return [b"{}"]

    app = intercept_dynamodb(moto_app, [interceptor("outer"), interceptor("inner")], lock)
    statuses: list[str] = []
    environ = {"HTTP_X_AMZ_TARGET": "DynamoDB_20120810.GetItem", "wsgi.input": io.BytesIO(b"body")}
    assert app(environ, lambda status, headers: statuses.append(status)) == [b"{}"]
    assert seen == ["outer:GetItem", "inner:GetItem", "moto:body"] and statuses == ["200 OK"]
    seen.clear()
    app({"HTTP_X_AMZ_TARGET": "AmazonSQS.SendMessage", "wsgi.input": io.BytesIO(b"sqs")}, lambda *_: None)
    assert seen == ["moto:sqs"]
