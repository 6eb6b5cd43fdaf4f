"""Reading bodies (JSON, forms) and unwrapping queue deliveries."""

import json

import pytest

from aisre.alerts.model.envelopes import unwrap_queued_alert
from aisre.alerts.model.payload import parse_body
from aisre.core.errors import PayloadError


def test_json_body():
    assert parse_body(b'{"a": 1}', "application/json") == {"a": 1}


def test_malformed_json_names_the_position():
    with pytest.raises(PayloadError) as raised:
        parse_body(b'{"a": }', "application/json")
    assert "line 1 column 7" in raised.value.message
    assert raised.value.field == "body"


def test_empty_and_non_utf8_bodies_are_payload_errors():
    with pytest.raises(PayloadError):
        parse_body(b"  ", None)
    with pytest.raises(PayloadError):
        parse_body(b"\xff\xfe\x00", "application/json")


def test_form_body_and_form_with_embedded_json():
    assert parse_body(b"title=Disk+full&alert_type=error", "application/x-www-form-urlencoded") == {
        "title": "Disk full",
        "alert_type": "error",
    }
    embedded = "payload=" + json.dumps({"title": "x", "tags": "a:b"}).replace(" ", "")
    assert parse_body(embedded.encode(), "application/x-www-form-urlencoded; charset=utf-8") == {
        "title": "x",
        "tags": "a:b",
    }


ALARM = {
    "AlarmName": "payments-5xx",
    "NewStateValue": "ALARM",
    "AlarmArn": "arn:aws:cloudwatch:us-east-1:1:alarm:x",
}


def sns(message: str, attributes: dict | None = None) -> str:
    envelope = {
        "Type": "Notification",
        "MessageId": "m",
        "Message": message,
        "MessageAttributes": attributes or {},
    }
    return json.dumps(envelope)


def test_sns_cloudwatch_alarm_keeps_the_envelope_for_its_normalizer():
    queued = unwrap_queued_alert(sns(json.dumps(ALARM)))
    assert queued.source == "cloudwatch"
    assert json.loads(queued.body)["Type"] == "Notification"


def test_sns_message_attributes_pick_source_and_workspace():
    queued = unwrap_queued_alert(
        sns(
            '{"title": "x"}',
            {
                "source": {"Type": "String", "Value": "webhook"},
                "workspace_id": {"Type": "String", "Value": "ws-1"},
            },
        )
    )
    assert (queued.source, queued.workspace_id, json.loads(queued.body)) == (
        "webhook",
        "ws-1",
        {"title": "x"},
    )


def test_raw_sqs_message_with_sqs_attributes():
    queued = unwrap_queued_alert('{"alerts": []}', {"source": {"stringValue": "alertmanager", "dataType": "String"}})
    assert queued.source == "alertmanager" and queued.workspace_id == "default"


def test_unreadable_body_is_passed_on_unchanged():
    queued = unwrap_queued_alert("not json{")
    assert queued.body == b"not json{" and queued.source == "webhook"


def test_json_bounds_name_the_field_at_fault() -> None:
    import pytest

    from aisre.alerts.model.payload import load_json
    from aisre.core.errors import PayloadError

    with pytest.raises(PayloadError) as surrogate:
        load_json('{"alerts": [{"labels": {"pod": "\\udc00"}}]}')
    assert surrogate.value.field == "body.alerts[0].labels.pod"
    with pytest.raises(PayloadError, match="deeper than 64"):
        load_json("[" * 65 + "]" * 65)
    assert load_json("[" * 64 + "]" * 64) is not None
    assert load_json('{"n": -123, "f": 1.5e3}') == {"n": -123, "f": 1500.0}
