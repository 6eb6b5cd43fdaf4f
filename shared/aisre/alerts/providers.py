"""The alerts' parts, each built on first ask (core/scope.py): intake, dead letters, SNS, PagerDuty sync."""

from __future__ import annotations

import math
from datetime import timedelta
from typing import TYPE_CHECKING

from aisre.core.providers import configured_table, secrets
from aisre.core.scope import Scope
from aisre.incidents.providers import incident_service, ingest_service

if TYPE_CHECKING:
    from aisre.alerts.model.signatures import SigningSecrets
    from aisre.alerts.ports import SnsEndpoint
    from aisre.alerts.service.dead_letters import DeadLetterService
    from aisre.alerts.service.intake import AlertIntake
    from aisre.alerts.service.pagerduty import PagerDutySync
    from aisre.alerts.service.raw_payloads import RawPayloadService
    from aisre.alerts.service.sns_deliveries import SnsDeliveries
    from aisre.alerts.store.dead_letter_store import DynamoDeadLetterStore
    from aisre.alerts.store.raw_payload_store import DynamoRawPayloadStore
    from aisre.alerts.store.receipt_store import DynamoReceiptStore


def signing_secrets(scope: Scope) -> SigningSecrets:
    from aisre.alerts.model.signatures import SigningSecrets, split_secrets

    loaded = scope.get(secrets)
    return SigningSecrets(
        pagerduty=split_secrets(loaded.pagerduty_webhook_secret),
        grafana=split_secrets(loaded.grafana_webhook_secret),
        grafana_max_age_seconds=scope.settings.grafana_signature_max_age_seconds,
    )


def dead_letter_store(scope: Scope) -> DynamoDeadLetterStore:
    from aisre.alerts.store.dead_letter_store import DynamoDeadLetterStore

    scope.get(configured_table)
    return DynamoDeadLetterStore()


def receipt_store(scope: Scope) -> DynamoReceiptStore:
    from aisre.alerts.store.receipt_store import DynamoReceiptStore

    scope.get(configured_table)
    return DynamoReceiptStore()


def raw_payload_store(scope: Scope) -> DynamoRawPayloadStore:
    from aisre.alerts.store.raw_payload_store import DynamoRawPayloadStore

    scope.get(configured_table)
    return DynamoRawPayloadStore()


def alert_intake(scope: Scope) -> AlertIntake:
    from aisre.alerts.service.intake import AlertIntake

    return AlertIntake(
        scope.get(ingest_service),
        scope.get(dead_letter_store),
        raw_payloads=scope.get(raw_payload_store),
        dead_letter_retention_days=scope.settings.dead_letter_retention_days,
        max_alerts_per_payload=scope.settings.max_alerts_per_payload,
    )


def sns_endpoint(scope: Scope) -> SnsEndpoint:
    from aisre.alerts.adapters.sns_https import SnsHttpsClient

    return SnsHttpsClient()


def sns_deliveries(scope: Scope) -> SnsDeliveries:
    from aisre.alerts.service.sns_deliveries import SnsDeliveries

    settings = scope.settings
    return SnsDeliveries(
        scope.get(sns_endpoint),
        scope.get(alert_intake),
        verify=settings.sns_verify_signatures,
        confirm=settings.sns_confirm_subscriptions,
    )


def dead_letter_service(scope: Scope) -> DeadLetterService:
    from aisre.alerts.service.dead_letters import DeadLetterService
    from aisre.alerts.service.sns_deliveries import CONFIRMATION_CHANNEL

    return DeadLetterService(
        scope.get(dead_letter_store),
        scope.get(alert_intake),
        channel_replayers={CONFIRMATION_CHANNEL: lambda entry: scope.get(sns_deliveries).replay_confirmation(entry)},
    )


def pagerduty_sync(scope: Scope) -> PagerDutySync:
    from aisre.alerts.service.pagerduty import PagerDutySync

    settings = scope.settings
    max_event_age = timedelta(seconds=settings.pagerduty_max_event_age_seconds)
    return PagerDutySync(
        scope.get(alert_intake),
        scope.get(incident_service),
        scope.get(receipt_store),
        receipt_retention_days=settings.webhook_id_retention_days,
        max_event_age=max_event_age,
        # An event's id is remembered at least as long as the event is accepted: together they refuse a replay.
        event_retention_days=max(settings.webhook_id_retention_days, math.ceil(max_event_age / timedelta(days=1)) + 1),
    )


def raw_payload_service(scope: Scope) -> RawPayloadService:
    from aisre.alerts.service.raw_payloads import RawPayloadService

    return RawPayloadService(scope.get(raw_payload_store), scope.get(incident_service))
