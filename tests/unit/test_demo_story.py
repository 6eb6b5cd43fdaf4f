"""The demo's story is coherent: the deploy comes before the storm, every notification is read by the real
Alertmanager normalizer into the alerts the story means (their fingerprints Alertmanager's, stable across
notifications and distinct per alert), times are ordered and relative to now, the services are checkout, payments
and the database; the malformed payload is refused; the on-call documents pass the notifications' own checks."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from aisre.alerts.model.normalizers import normalize
from aisre.alerts.model.payload import parse_body
from aisre.core.errors import PayloadError
from aisre.demo.model.seed import SKIPPED_PARTS
from aisre.demo.model.story import MAIN_SERVICE, build_story
from aisre.incidents.model.alert import Alert
from aisre.notifications.model.oncall.escalation import parse_policy
from aisre.notifications.model.oncall.schedule import parse_schedule

NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)


def read(payload: dict[str, Any]) -> list[Alert]:
    return normalize("alertmanager", parse_body(json.dumps(payload).encode(), "application/json"))


def test_the_storm_is_forty_to_sixty_alerts_of_six_over_checkout_payments_and_the_database():
    story = build_story(NOW)
    assert 40 <= story.alerts_sent <= 60
    assert len(story.storm) == 6
    assert {alert.service for alert in story.storm} == {"checkout", "payments", "orders-db"}
    assert story.main_alert.service == MAIN_SERVICE and story.main_alert.labels["pod"]
    # checkout's crash loop is the first alert of its service, so it opens (roots) the checkout group.
    assert next(alert for alert in story.storm if alert.service == MAIN_SERVICE) is story.main_alert


def test_fingerprints_are_alertmanagers_stable_and_distinct():
    story = build_story(NOW)
    fingerprints = [alert.fingerprint for alert in story.storm]
    assert len(set(fingerprints)) == len(fingerprints)
    assert story.earlier_alert.fingerprint not in fingerprints
    # The identity is the label set, not the time: the same story told later has the same alerts.
    assert [alert.fingerprint for alert in build_story(NOW + timedelta(days=3)).storm] == fingerprints


def test_every_notification_reads_as_the_alerts_the_story_means():
    story = build_story(NOW)
    for delivery in story.deliveries:
        alerts = read(delivery.payload())
        assert [alert.fingerprint for alert in alerts] == [item.fingerprint for item in delivery.alerts]
        assert all(alert.fingerprint_kind == "provider" and not alert.is_resolved for alert in alerts)
        assert [alert.service for alert in alerts] == [item.service for item in delivery.alerts]
        assert [alert.title for alert in alerts] == [item.summary for item in delivery.alerts]
    [main] = [
        alert for alert in read(story.deliveries[0].payload()) if alert.fingerprint == story.main_alert.fingerprint
    ]
    assert (main.namespace, main.deployment, main.pod) == ("shop", "checkout", "checkout-7f9c6d8b5-x2x4q")
    [earlier] = read({"version": "4", "status": "firing", "alerts": [story.earlier_alert.payload_item()]})
    assert earlier.service == MAIN_SERVICE and earlier.fingerprint == story.earlier_alert.fingerprint


def test_times_are_ordered_and_relative_to_now():
    story = build_story(NOW)
    sent = [delivery.sent_at for delivery in story.deliveries]
    assert sent == sorted(sent) and sent[-1] == NOW and len(set(sent)) == len(sent)
    first_start = min(alert.starts_at for alert in story.storm)
    # The deploy goes out minutes before the first alert, well inside the deploy correlation's lookback (60 min).
    assert story.deploy["timestamp"] < first_start <= NOW
    assert timedelta(minutes=1) <= first_start - story.deploy["timestamp"] <= timedelta(minutes=30)
    assert story.earlier_alert.starts_at < story.deploy["timestamp"] - timedelta(days=7)
    for delivery in story.deliveries:
        # A notification carries exactly the alerts firing by the time it is sent.
        assert {alert.key for alert in delivery.alerts} == {
            a.key for a in story.storm if a.starts_at <= delivery.sent_at
        }
    # Every alert is sent at least once, and the earliest ones most often (Alertmanager repeats a firing alert).
    counts = {alert.key: sum(alert in delivery.alerts for delivery in story.deliveries) for alert in story.storm}
    assert min(counts.values()) >= 1 and counts[story.main_alert.key] == len(story.deliveries)
    later = build_story(NOW + timedelta(hours=5))
    assert later.deploy["timestamp"] - story.deploy["timestamp"] == timedelta(hours=5)


def test_the_deploy_is_checkouts_v2_14_0():
    deploy = build_story(NOW).deploy
    assert (deploy["service"], deploy["version"], deploy["namespace"]) == (MAIN_SERVICE, "v2.14.0", "shop")


def test_the_malformed_payload_is_refused_by_the_normalizer():
    with pytest.raises(PayloadError) as refused:
        read(build_story(NOW).malformed_payload)
    assert refused.value.field == "alerts[0].labels.alertname"


def test_the_oncall_documents_pass_the_notifications_checks():
    story = build_story(NOW)
    schedule = parse_schedule(story.schedule)
    assert schedule.layers[0].participants == ("alice", "bob", "carol")
    policy = parse_policy(story.escalation_policy("sch-demo"))
    assert MAIN_SERVICE in policy.services and len(policy.levels) == 2


def test_the_rollback_is_argued_as_remediation_argues_one_and_slos_are_skipped():
    from aisre.remediation.model.requests import action_request

    request = action_request("rollback_deployment", build_story(NOW).rollback_arguments(), incident_id="inc-1")
    assert request.arguments == {"namespace": "shop", "deployment_name": "checkout"}
    assert dict(SKIPPED_PARTS) == {"slo": "SLOs are not configured in this version"}
