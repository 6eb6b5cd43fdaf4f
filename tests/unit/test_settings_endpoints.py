"""DynamoDB's endpoint: botocore's service-specific variable wins over the general one."""

from __future__ import annotations

import pytest

from aisre.core.settings import Settings


def test_dynamodb_follows_the_general_endpoint_unless_it_has_its_own(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_ENDPOINT_URL_DYNAMODB", raising=False)
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:5000")
    assert Settings().dynamodb_endpoint == "http://127.0.0.1:5000"
    monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB", "http://127.0.0.1:5001")
    assert Settings().dynamodb_endpoint == "http://127.0.0.1:5001"


def test_without_either_dynamodb_is_aws_itself(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.delenv("AWS_ENDPOINT_URL_DYNAMODB", raising=False)
    assert Settings().dynamodb_endpoint is None
