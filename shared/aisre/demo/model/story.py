"""The demo's story, told relative to `now` so it is always fresh: `checkout` v2.14.0 is deployed, minutes later its
pods crash-loop, checkout's callers in payments time out and the orders database runs out of connections. Alertmanager
sends the storm (one notification per group interval, every firing alert again each time) that the platform's dedup
and correlation compress into a few incidents. Before it: the same crash loop two weeks ago, resolved by a rollback
(what "similar incidents and how they were fixed" shows). Beside it: a payload a misconfigured sender cut short, the
on-call schedule and escalation policy of checkout.

Pure: facts and Alertmanager-shaped payloads (dicts), no I/O; the service sends them through the real intake."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from aisre.core.timestamps import utc_iso

NAMESPACE = "shop"
MAIN_SERVICE = "checkout"
CLUSTER = "prod-eu-1"
RECEIVER = "aisre"
EXTERNAL_URL = "http://alertmanager.monitoring:9093"
# Alertmanager's own "never ends" for a firing alert.
NOT_ENDED = "0001-01-01T00:00:00Z"
# The storm: one notification per group interval over the last few minutes, the newest now.
GROUP_INTERVAL = timedelta(seconds=30)
STORM_ROUNDS = 11


@dataclass(frozen=True)
class StoryAlert:
    """One alert of the story as Prometheus fires it: its labels (its identity), its words, when it began."""

    key: str
    alertname: str
    service: str
    severity: str
    summary: str
    description: str
    starts_at: datetime
    labels: dict[str, str] = field(default_factory=dict)

    @property
    def all_labels(self) -> dict[str, str]:
        return {"alertname": self.alertname, "service": self.service, "severity": self.severity, **self.labels}

    @property
    def fingerprint(self) -> str:
        """Alertmanager's fingerprint: a hash of the label set, the same in every notification of the alert."""
        text = "\xff".join(f"{name}\xff{value}" for name, value in sorted(self.all_labels.items()))
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def payload_item(self) -> dict[str, Any]:
        return {
            "status": "firing",
            "labels": self.all_labels,
            "annotations": {"summary": self.summary, "description": self.description},
            "startsAt": utc_iso(self.starts_at),
            "endsAt": NOT_ENDED,
            "generatorURL": f"http://prometheus.monitoring:9090/graph?g0.expr=ALERTS%7Balertname%3D%22{self.alertname}%22%7D",
            "fingerprint": self.fingerprint,
        }


@dataclass(frozen=True)
class Delivery:
    """One Alertmanager notification: its group's alerts firing at `sent_at`."""

    sent_at: datetime
    alerts: tuple[StoryAlert, ...]

    def payload(self) -> dict[str, Any]:
        return {
            "version": "4",
            "groupKey": f'{{}}:{{cluster="{CLUSTER}"}}',
            "truncatedAlerts": 0,
            "status": "firing",
            "receiver": RECEIVER,
            "groupLabels": {"cluster": CLUSTER},
            "commonLabels": {"cluster": CLUSTER},
            "commonAnnotations": {},
            "externalURL": EXTERNAL_URL,
            "alerts": [alert.payload_item() for alert in self.alerts],
        }


@dataclass(frozen=True)
class Story:
    now: datetime
    deploy: dict[str, Any]
    earlier_alert: StoryAlert
    resolution_note: str
    storm: tuple[StoryAlert, ...]
    deliveries: tuple[Delivery, ...]
    malformed_payload: dict[str, Any]
    stalled_payload: dict[str, Any]
    schedule: dict[str, Any]
    approval_note: str

    @property
    def main_alert(self) -> StoryAlert:
        """The alert whose incident is the story's: the first crash-looping checkout pod (its group's root)."""
        return self.storm[0]

    @property
    def alerts_sent(self) -> int:
        return sum(len(delivery.alerts) for delivery in self.deliveries)

    def escalation_policy(self, schedule_id: str) -> dict[str, Any]:
        """checkout's policy: its schedule first, then the engineering manager; the services it pages for."""
        return {
            "name": "checkout",
            "team": "checkout-team",
            "services": [MAIN_SERVICE],
            "levels": [
                {"targets": [{"schedule": schedule_id}], "delay_minutes": 10},
                {"targets": [{"user": "dana"}], "delay_minutes": 15},
            ],
            "repeat": 1,
        }

    def rollback_arguments(self) -> dict[str, str]:
        """The rollback of the deploy, as remediation's proposals argue one (namespace, deployment_name)."""
        return {"namespace": NAMESPACE, "deployment_name": MAIN_SERVICE}


def _pod_labels(pod: str) -> dict[str, str]:
    return {
        "namespace": NAMESPACE,
        "pod": pod,
        "deployment": MAIN_SERVICE,
        "container": MAIN_SERVICE,
        "cluster": CLUSTER,
    }


def storm_alerts(now: datetime) -> tuple[StoryAlert, ...]:
    """The outage's alerts in the order they began; the first of each service opens its group."""

    def ago(minutes: int) -> datetime:
        return now - timedelta(minutes=minutes)

    crash = "is crash-looping (CrashLoopBackOff)"
    return (
        StoryAlert(
            "checkout-crashloop-1", "KubePodCrashLooping", MAIN_SERVICE, "critical",
            f"Pod {NAMESPACE}/checkout-7f9c6d8b5-x2x4q {crash}",
            "Container checkout of pod checkout-7f9c6d8b5-x2x4q restarted 5 times in 5 minutes since the rollout of "
            "v2.14.0; last exit code 1.",
            ago(5), _pod_labels("checkout-7f9c6d8b5-x2x4q"),
        ),
        StoryAlert(
            "checkout-errors", "CheckoutHighErrorRate", MAIN_SERVICE, "high",
            "checkout: 23% of requests fail with HTTP 5xx",
            "The 5xx ratio of checkout has been above 5% for 2 minutes (SLO: 99.9% of requests succeed).",
            ago(5), {"namespace": NAMESPACE, "deployment": MAIN_SERVICE, "cluster": CLUSTER},
        ),
        StoryAlert(
            "checkout-crashloop-2", "KubePodCrashLooping", MAIN_SERVICE, "critical",
            f"Pod {NAMESPACE}/checkout-7f9c6d8b5-m8k2p {crash}",
            "Container checkout of pod checkout-7f9c6d8b5-m8k2p restarted 4 times in 4 minutes; last exit code 1.",
            ago(4), _pod_labels("checkout-7f9c6d8b5-m8k2p"),
        ),
        StoryAlert(
            "payments-upstream", "PaymentsUpstreamErrors", "payments", "high",
            "payments: 18% of calls from checkout time out",
            "Calls from checkout to payments /v1/sessions time out after 3 s; retries double the load.",
            ago(4), {"namespace": NAMESPACE, "cluster": CLUSTER},
        ),
        StoryAlert(
            "db-connections", "PostgresTooManyConnections", "orders-db", "high",
            "orders-db: 96% of max_connections in use",
            "orders-db-0 has 192 of 200 connections in use; new connections from payments are refused.",
            ago(4), {"namespace": "data", "instance": "orders-db-0", "cluster": CLUSTER},
        ),
        StoryAlert(
            "payments-latency", "PaymentsLatencyHigh", "payments", "warning",
            "payments: p99 latency 2.4 s (objective 500 ms)",
            "The 99th percentile of payments' request latency has been above 500 ms for 2 minutes.",
            ago(3), {"namespace": NAMESPACE, "cluster": CLUSTER},
        ),
    )  # fmt: skip


def deliveries_of(alerts: tuple[StoryAlert, ...], now: datetime) -> tuple[Delivery, ...]:
    """Alertmanager's notifications of the storm: every group interval, each alert firing by then, again."""
    rounds = []
    for index in range(STORM_ROUNDS):
        sent_at = now - GROUP_INTERVAL * (STORM_ROUNDS - 1 - index)
        firing = tuple(alert for alert in alerts if alert.starts_at <= sent_at)
        if firing:
            rounds.append(Delivery(sent_at, firing))
    return tuple(rounds)


def build_story(now: datetime) -> Story:
    storm = storm_alerts(now)
    earlier_pod = "checkout-5d8b7c6f4-qk9zt"
    earlier = StoryAlert(
        "checkout-crashloop-earlier", "KubePodCrashLooping", MAIN_SERVICE, "critical",
        f"Pod {NAMESPACE}/{earlier_pod} is crash-looping (CrashLoopBackOff)",
        f"Container checkout of pod {earlier_pod} restarted 6 times in 10 minutes since the rollout of v2.11.3; "
        "last exit code 1.",
        now - timedelta(days=16), _pod_labels(earlier_pod),
    )  # fmt: skip
    return Story(
        now=now,
        deploy={
            "service": MAIN_SERVICE,
            "namespace": NAMESPACE,
            "environment": "production",
            "version": "v2.14.0",
            "image": "registry.example.com/shop/checkout:2.14.0",
            "actor": "ci/github-actions",
            "commit_sha": "9f3c2a17d4b8e6015c2f7a9d3e1b0c4a5f6e7d8c",
            "description": "checkout v2.14.0: payment sessions through the new connection pool",
            "timestamp": now - timedelta(minutes=7),
        },
        earlier_alert=earlier,
        resolution_note=(
            "Rolled back checkout to v2.11.2 (kubectl rollout undo deployment/checkout -n shop): v2.11.3 read "
            "PAYMENTS_POOL_SIZE as text and exited at start. Pods ready within 2 minutes; fixed forward in v2.11.4."
        ),
        storm=storm,
        deliveries=deliveries_of(storm, now),
        # A sender's template that lost its alert's name and summary: unreadable, so it is dead-lettered as sent.
        malformed_payload={
            "version": "4",
            "status": "firing",
            "receiver": RECEIVER,
            "alerts": [
                {
                    "status": "firing",
                    "labels": {"service": "orders-db", "severity": "warning", "cluster": CLUSTER},
                    "annotations": {},
                    "startsAt": utc_iso(now - timedelta(minutes=2)),
                }
            ],
        },
        # A readable delivery the ingest queue gave up on while the table throttled the storm's writes: kept with
        # its error, and replayed whole once the table has room (the console's replay button).
        stalled_payload={
            "version": "4",
            "status": "firing",
            "receiver": RECEIVER,
            "alerts": [
                {
                    "status": "firing",
                    "labels": {
                        "alertname": "PostgresReplicationLagHigh",
                        "service": "orders-db",
                        "severity": "warning",
                        "cluster": CLUSTER,
                        "namespace": NAMESPACE,
                    },
                    "annotations": {
                        "summary": "orders-db replica lags the primary by 48 s",
                        "description": "Replication lag on orders-db-replica-1 rose past 30 s as checkout retried.",
                    },
                    "startsAt": utc_iso(now - timedelta(minutes=3)),
                }
            ],
        },
        schedule={
            "name": "checkout primary",
            "time_zone": "UTC",
            "layers": [
                {
                    "participants": ["alice", "bob", "carol"],
                    "rotation": "weekly",
                    "handoff_time": "09:00",
                    "start": (now - timedelta(days=21)).date().isoformat(),
                }
            ],
        },
        approval_note=(
            "checkout v2.14.0 went out minutes before its pods began crash-looping: roll it back as v2.11.3 was "
            "two weeks ago. Asked as a dry run: approving it checks and reads everything the rollback would, and "
            "writes nothing."
        ),
    )
