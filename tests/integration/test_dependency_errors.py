"""A failing AWS service is answered 503 naming it ("the table is unavailable (DynamoDB)"), with Retry-After, and
never with botocore's text, which carries the service's address. Real SDK calls to a port nothing listens on."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pynamodb.attributes import UnicodeAttribute
from pynamodb.models import Model

from aisre.core.dependencies import unavailable
from aisre.core.errors import StorageError
from aisre.core.http.errors import install_error_handlers
from tests.support.servers import free_port

DEAD = f"http://127.0.0.1:{free_port()}"  # nothing listens there: connection refused
ONE_ATTEMPT = Config(retries={"total_max_attempts": 1, "mode": "standard"}, connect_timeout=2)


def client(service: str) -> Any:
    return boto3.session.Session().client(
        service,
        endpoint_url=DEAD,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=ONE_ATTEMPT,
    )


class DeadRecord(Model):
    class Meta:
        table_name = "nowhere"
        region = "us-east-1"
        host = DEAD
        max_retry_attempts = 0
        aws_access_key_id = "testing"
        aws_secret_access_key = "testing"

    pk = UnicodeAttribute(hash_key=True)


CALLS: dict[str, Callable[[], Any]] = {
    "DynamoDB": lambda: client("dynamodb").get_item(TableName="t", Key={"pk": {"S": "x"}}),
    "SQS": lambda: client("sqs").send_message(QueueUrl=f"{DEAD}/123456789012/q", MessageBody="x"),
    "Step Functions": lambda: client("stepfunctions").start_execution(stateMachineArn="arn:aws:states:::x"),
    "SNS": lambda: client("sns").publish(TopicArn="arn:aws:sns:us-east-1:123456789012:t", Message="x"),
    "PynamoDB": lambda: DeadRecord("x").save(),
}
EXPECTED = {
    "DynamoDB": "the table is unavailable (DynamoDB)",
    "SQS": "the queue is unavailable (SQS)",
    "Step Functions": "the workflow is unavailable (Step Functions)",
    "SNS": "the topic is unavailable (SNS)",
    "PynamoDB": "the table is unavailable (DynamoDB)",
}


def raised(call: Callable[[], Any]) -> Exception:
    try:
        call()
    except Exception as error:
        return error
    raise AssertionError("the call to a dead endpoint succeeded")


@pytest.mark.parametrize("name", sorted(CALLS))
def test_a_refused_connection_names_the_service_and_not_its_address(name: str) -> None:
    error = raised(CALLS[name])
    assert "127.0.0.1" in str(error)  # what botocore says, and what must not reach a client
    outage = unavailable(error)
    assert outage is not None
    assert outage.message.startswith(EXPECTED[name])
    assert "127.0.0.1" not in outage.message and "http" not in outage.message


def test_a_storage_error_caused_by_an_outage_is_one_too() -> None:
    try:
        try:
            DeadRecord("x").save()
        except Exception as error:
            raise StorageError("transaction failed") from error
    except StorageError as storage_error:
        outage = unavailable(storage_error)
    assert outage is not None and outage.details == {"dependency": "DynamoDB"}


@pytest.mark.parametrize(
    "code,status,outage",
    [
        ("ValidationException", 400, False),
        ("ConditionalCheckFailedException", 400, False),
        ("ProvisionedThroughputExceededException", 400, True),
        ("ThrottlingException", 400, True),
        ("InternalServerError", 500, True),
        ("ServiceUnavailable", 503, True),
    ],
)
def test_which_answers_of_a_service_are_outages(code: str, status: int, outage: bool) -> None:
    error = ClientError({"Error": {"Code": code, "Message": "m"}, "ResponseMetadata": {"HTTPStatusCode": status}}, "X")
    assert (unavailable(error) is not None) is outage
    assert unavailable(ValueError("a bug")) is None


@pytest.fixture(scope="module")
def http() -> Iterator[TestClient]:
    app = FastAPI()
    install_error_handlers(app)

    @app.get("/raw/{name}")
    def raw(name: str) -> None:
        CALLS[name]()

    @app.get("/wrapped")
    def wrapped() -> None:
        try:
            DeadRecord("x").save()
        except Exception as error:
            raise StorageError(f"transaction failed: {error}") from error  # an error text that leaks the address

    @app.get("/bug")
    def bug() -> None:
        raise ValueError("http://127.0.0.1:1234/ a bug")

    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.mark.parametrize("path", [*(f"/raw/{name}" for name in sorted(CALLS)), "/wrapped"])
def test_an_outage_is_a_503_with_retry_after_naming_the_service_and_no_address(http: TestClient, path: str) -> None:
    response = http.get(path)
    assert response.status_code == 503, response.text
    assert response.headers["Retry-After"] == "1"
    assert "127.0.0.1" not in response.text and "http://" not in response.text
    body = response.json()
    assert body["detail"] == body["error"]["message"]
    assert " is unavailable (" in body["detail"]
    assert body["error"]["details"]["dependency"] in {"DynamoDB", "SQS", "Step Functions", "SNS"}


def test_a_bug_is_still_a_500_that_says_nothing(http: TestClient) -> None:
    response = http.get("/bug")
    assert response.status_code == 500
    assert response.json()["detail"] == "internal server error"
