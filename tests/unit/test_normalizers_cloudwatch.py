"""The CloudWatch normalizer: alarm notifications through SNS, bare alarm JSON, and EventBridge events."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aisre.alerts.model.normalizers import cloudwatch
from aisre.core.errors import PayloadError, ValidationError
from aisre.incidents.model.alert import AlertStatus, Severity

ARN = "arn:aws:cloudwatch:us-east-1:123456789012:alarm:payments-api-5xx-critical"

# The alarm JSON CloudWatch publishes to SNS.
ALARM: dict[str, Any] = {
    "AlarmName": "payments-api-5xx-critical",
    "AlarmDescription": "5xx responses on the payments ALB",
    "AWSAccountId": "123456789012",
    "AlarmConfigurationUpdatedTimestamp": "2024-04-01T09:00:00.000+0000",
    "NewStateValue": "ALARM",
    "NewStateReason": "Threshold Crossed: 1 out of the last 1 datapoints [42.0 (01/05/24 09:59:00)] was "
    "greater than the threshold (10.0) (minimum 1 datapoint for OK -> ALARM transition).",
    "StateChangeTime": "2024-05-01T10:00:00.123+0000",
    "Region": "US East (N. Virginia)",
    "AlarmArn": ARN,
    "OldStateValue": "OK",
    "OKActions": [],
    "AlarmActions": ["arn:aws:sns:us-east-1:123456789012:aisre-alarms"],
    "InsufficientDataActions": [],
    "Trigger": {
        "MetricName": "HTTPCode_Target_5XX_Count",
        "Namespace": "AWS/ApplicationELB",
        "StatisticType": "Statistic",
        "Statistic": "SUM",
        "Unit": None,
        "Dimensions": [
            {"value": "app/payments-alb/50dc6c495c0c9188", "name": "LoadBalancer"},
            {"value": "targetgroup/payments/6d0ecf831eec9f09", "name": "TargetGroup"},
        ],
        "Period": 60,
        "EvaluationPeriods": 1,
        "DatapointsToAlarm": 1,
        "ComparisonOperator": "GreaterThanThreshold",
        "Threshold": 10.0,
        "TreatMissingData": "missing",
        "EvaluateLowSampleCountPercentile": "",
    },
}


def sns(message: Any, **envelope: Any) -> dict[str, Any]:
    """The SNS HTTP(S) notification around a message."""
    return {
        "Type": "Notification",
        "MessageId": "22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324",
        "TopicArn": "arn:aws:sns:us-east-1:123456789012:aisre-alarms",
        "Subject": 'ALARM: "payments-api-5xx-critical" in US East (N. Virginia)',
        "Message": message if isinstance(message, str) else json.dumps(message),
        "Timestamp": "2024-05-01T10:00:05.123Z",
        "SignatureVersion": "1",
        "Signature": "EXAMPLEpH+DcEwjAPg8O9mY8dReBSwksfg2S7WKQcikcNKWLQjwu6A4VbeS0QHVCkhRS7fUQ==",
        "SigningCertURL": "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-f3ecfb72.pem",
        "UnsubscribeURL": "https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn="
        "arn:aws:sns:us-east-1:123456789012:aisre-alarms:c9135db0",
        "MessageAttributes": {},
        **envelope,
    }


# EventBridge's "CloudWatch Alarm State Change" event, as AWS documents it.
EVENT: dict[str, Any] = {
    "version": "0",
    "id": "c4c1c1c9-6542-e61b-6ef0-8c4d36933a92",
    "detail-type": "CloudWatch Alarm State Change",
    "source": "aws.cloudwatch",
    "account": "123456789012",
    "time": "2019-10-02T17:04:40Z",
    "region": "us-east-1",
    "resources": ["arn:aws:cloudwatch:us-east-1:123456789012:alarm:ServerCpuTooHigh"],
    "detail": {
        "alarmName": "ServerCpuTooHigh",
        "configuration": {
            "description": "Goes into alarm when server CPU utilization is too high!",
            "metrics": [
                {
                    "id": "30b6c6b2-a864-43a2-4877-c09a1afc3b87",
                    "metricStat": {
                        "metric": {
                            "dimensions": {"InstanceId": "i-12345678901234567"},
                            "name": "CPUUtilization",
                            "namespace": "AWS/EC2",
                        },
                        "period": 300,
                        "stat": "Average",
                    },
                    "returnData": True,
                }
            ],
        },
        "previousState": {
            "reason": "Threshold Crossed: 1 out of the last 1 datapoints [0.0 (02/10/19 16:59:00)] was not "
            "greater than the threshold (50.0).",
            "timestamp": "2019-10-02T17:04:40.985+0000",
            "value": "OK",
        },
        "state": {
            "reason": "Threshold Crossed: 1 out of the last 1 datapoints [99.5 (02/10/19 17:03:00)] was "
            "greater than the threshold (50.0).",
            "timestamp": "2019-10-02T17:04:40.989+0000",
            "value": "ALARM",
        },
    },
}


def test_sns_alarm() -> None:
    [alert] = cloudwatch.normalize(sns(ALARM))
    assert alert.provider == alert.source == "cloudwatch"
    assert alert.title == "payments-api-5xx-critical"
    assert alert.description == f"5xx responses on the payments ALB\n{ALARM['NewStateReason']}"
    assert alert.status is AlertStatus.FIRING
    assert alert.severity is Severity.CRITICAL  # "critical" in the alarm name
    assert (alert.fingerprint, alert.fingerprint_kind, alert.external_id) == (ARN, "provider", ARN)
    assert alert.service == "app/payments-alb/50dc6c495c0c9188"
    assert alert.labels == {
        "LoadBalancer": "app/payments-alb/50dc6c495c0c9188",
        "TargetGroup": "targetgroup/payments/6d0ecf831eec9f09",
        "metric_name": "HTTPCode_Target_5XX_Count",
        "metric_namespace": "AWS/ApplicationELB",
        "region": "us-east-1",
        "account_id": "123456789012",
        "cloudwatch_state": "ALARM",
        "cloudwatch_previous_state": "OK",
    }
    assert alert.annotations == {"subject": 'ALARM: "payments-api-5xx-critical" in US East (N. Virginia)'}
    assert alert.starts_at == datetime(2024, 5, 1, 10, 0, 0, 123000, tzinfo=UTC)
    assert alert.ends_at is None


def test_sns_ok_resolves_the_same_alarm() -> None:
    ok = {
        **ALARM,
        "NewStateValue": "OK",
        "OldStateValue": "ALARM",
        "StateChangeTime": "2024-05-01T10:20:00.000+0000",
    }
    [alert] = cloudwatch.normalize(sns(ok))
    assert alert.status is AlertStatus.RESOLVED
    assert alert.severity is Severity.CRITICAL
    assert (alert.starts_at, alert.ends_at) == (None, datetime(2024, 5, 1, 10, 20, tzinfo=UTC))
    assert alert.fingerprint == ARN


def test_sns_timestamp_stands_in_for_a_missing_state_change_time() -> None:
    alarm = {key: value for key, value in ALARM.items() if key != "StateChangeTime"}
    [alert] = cloudwatch.normalize(sns(alarm))
    assert alert.starts_at == datetime(2024, 5, 1, 10, 0, 5, 123000, tzinfo=UTC)


def test_insufficient_data_fires_as_info() -> None:
    [alert] = cloudwatch.normalize({**ALARM, "NewStateValue": "INSUFFICIENT_DATA"})
    assert (alert.status, alert.severity) == (AlertStatus.FIRING, Severity.INFO)


@pytest.mark.parametrize(
    ("name", "description", "severity"),
    [
        ("orders-latency", None, Severity.HIGH),
        ("orders-latency-sev1", None, Severity.CRITICAL),
        ("orders_latency_SEV-3", None, Severity.WARNING),
        ("orders-latency", "Severity: 4", Severity.INFO),
        ("[warning] orders latency", None, Severity.WARNING),
        ("orders-latency", "P3: slow checkout", Severity.WARNING),
        ("orders-latency", "info only", Severity.INFO),
        ("high-latency-low-disk-error-rate", "OK when fixed", Severity.HIGH),  # no level is named
        ("p4-orders", "critical path", Severity.INFO),  # the name is read first
    ],
)
def test_severity_from_name_and_description(name: str, description: str | None, severity: Severity) -> None:
    [alert] = cloudwatch.normalize({"AlarmName": name, "AlarmDescription": description})
    assert alert.severity is severity


def test_bare_alarm_and_identity_without_arn() -> None:
    minimal = {"AlarmName": "orders-dlq-not-empty", "NewStateValue": "ALARM"}
    [alert] = cloudwatch.normalize(minimal)
    assert alert.fingerprint_kind == "identity"
    assert alert.labels == {"cloudwatch_state": "ALARM"}
    [again] = cloudwatch.normalize({**minimal, "NewStateReason": "different reason"})
    assert again.fingerprint == alert.fingerprint


@pytest.mark.parametrize(
    ("dimension", "value"),
    [
        ("FunctionName", "payments-webhook"),
        ("DBInstanceIdentifier", "orders-db"),
        ("QueueName", "orders-dlq"),
        ("TableName", "incidents"),
        ("AutoScalingGroupName", "web-asg"),
    ],
)
def test_service_from_dimensions(dimension: str, value: str) -> None:
    trigger = {"Dimensions": [{"value": "x", "name": "Other"}, {"value": value, "name": dimension}]}
    [alert] = cloudwatch.normalize({"AlarmName": "a", "Trigger": trigger})
    assert alert.service == value


def test_service_name_wins_over_cluster_and_kubernetes_dimensions_fill_in() -> None:
    dimensions = [
        {"name": "ClusterName", "value": "prod-eks"},
        {"name": "ServiceName", "value": "payments-api"},
        {"name": "namespace", "value": "production"},
    ]
    [alert] = cloudwatch.normalize({"AlarmName": "a", "Trigger": {"Dimensions": dimensions}})
    assert (alert.service, alert.namespace) == ("payments-api", "production")


def test_metric_math_alarm_dimensions() -> None:
    trigger = {
        "Metrics": [
            {
                "Id": "m1",
                "MetricStat": {
                    "Metric": {
                        "Dimensions": [{"value": "orders-fn", "name": "FunctionName"}],
                        "MetricName": "Errors",
                        "Namespace": "AWS/Lambda",
                    },
                    "Period": 60,
                    "Stat": "Sum",
                },
                "ReturnData": False,
            },
            {"Id": "e1", "Expression": "m1 / 10", "Label": "ratio", "ReturnData": True},
        ]
    }
    [alert] = cloudwatch.normalize({"AlarmName": "orders-errors", "Trigger": trigger})
    assert alert.service == "orders-fn"


def test_eventbridge_event() -> None:
    [alert] = cloudwatch.normalize(EVENT)
    assert alert.title == "ServerCpuTooHigh"
    assert alert.description.startswith("Goes into alarm when server CPU utilization is too high!\nThreshold")
    assert alert.status is AlertStatus.FIRING
    assert alert.severity is Severity.HIGH
    assert alert.fingerprint == "arn:aws:cloudwatch:us-east-1:123456789012:alarm:ServerCpuTooHigh"
    assert alert.labels == {
        "InstanceId": "i-12345678901234567",
        "metric_name": "CPUUtilization",
        "metric_namespace": "AWS/EC2",
        "region": "us-east-1",
        "account_id": "123456789012",
        "cloudwatch_state": "ALARM",
        "cloudwatch_previous_state": "OK",
    }
    assert alert.starts_at == datetime(2019, 10, 2, 17, 4, 40, 989000, tzinfo=UTC)


def test_eventbridge_event_delivered_through_sns() -> None:
    [alert] = cloudwatch.normalize(sns(EVENT, Subject=None))
    assert alert.title == "ServerCpuTooHigh"
    assert alert.annotations == {}


def test_subscription_confirmation_is_no_alert() -> None:
    confirmation = sns("You have chosen to subscribe to the topic ...", Type="SubscriptionConfirmation")
    assert cloudwatch.normalize(confirmation) == []


@pytest.mark.parametrize(
    ("payload", "error", "field"),
    [
        ("ALARM", PayloadError, "body"),
        ({"foo": "bar"}, PayloadError, "AlarmName"),
        (sns("not json {"), PayloadError, "Message"),
        (sns("[1, 2]"), PayloadError, "Message"),
        (sns(5), PayloadError, "Message"),
        (sns({"hello": "world"}), PayloadError, "Message.AlarmName"),
        (sns({**ALARM, "Trigger": "x"}), ValidationError, "Message.Trigger"),
        (sns({**ALARM, "AlarmName": ["a"]}), ValidationError, "Message.AlarmName"),
        ({"AlarmName": "a", "Trigger": {"Dimensions": {"name": "x"}}}, ValidationError, "Trigger.Dimensions"),
        ({"AlarmName": "a", "Trigger": {"Dimensions": ["x"]}}, ValidationError, "Trigger.Dimensions[0]"),
        ({**EVENT, "detail": {"state": {}}}, PayloadError, "detail.alarmName"),
        ({**EVENT, "detail": "alarm"}, ValidationError, "detail"),
        ({**EVENT, "detail": {**EVENT["detail"], "state": "ALARM"}}, ValidationError, "detail.state"),
        ({"AlarmName": ""}, PayloadError, "title"),
    ],
)
def test_errors_name_the_field(payload: Any, error: type[Exception], field: str) -> None:
    with pytest.raises(error) as raised:
        cloudwatch.normalize(payload)
    assert raised.value.field == field  # type: ignore[attr-defined]


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)
ALARMS = st.dictionaries(st.sampled_from(sorted(ALARM)), JSON, max_size=6).map(lambda a: {"AlarmName": "a", **a})
EVENTS = st.fixed_dictionaries(
    {"detail-type": st.just("CloudWatch Alarm State Change")},
    optional={
        "detail": st.dictionaries(st.sampled_from(sorted(EVENT["detail"])), JSON) | JSON,
        "resources": JSON,
    },
)


@settings(max_examples=100, deadline=None)
@given(JSON | ALARMS | EVENTS | ALARMS.map(sns) | st.text(max_size=20).map(sns))
def test_arbitrary_input_raises_only_payload_errors(payload: Any) -> None:
    try:
        alerts = cloudwatch.normalize(payload)
    except (PayloadError, ValidationError) as exc:
        assert exc.field
    else:
        assert all(alert.provider == "cloudwatch" for alert in alerts)


@settings(max_examples=100, deadline=None)
@given(st.text(min_size=1).map(str.strip).filter(bool))
def test_alarm_arn_is_the_fingerprint_unchanged(arn: str) -> None:
    [alert] = cloudwatch.normalize(sns({**ALARM, "AlarmArn": arn}))
    assert (alert.fingerprint, alert.fingerprint_kind) == (arn, "provider")
