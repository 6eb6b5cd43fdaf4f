"""The composition root: settings -> adapters -> services, built once per process (per Lambda container)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache

from pynamodb.connection import Connection

from aisre.adapters.dynamodb.dead_letter_store import DynamoDeadLetterStore
from aisre.adapters.dynamodb.deploy_store import DynamoDeployStore
from aisre.adapters.dynamodb.incident_store import DynamoIncidentStore
from aisre.adapters.dynamodb.receipt_store import DynamoReceiptStore
from aisre.adapters.dynamodb.records import configure_records
from aisre.adapters.secrets import load_secrets
from aisre.domain.keyring import Keyring
from aisre.domain.signatures import split_secrets
from aisre.services.dead_letters import DeadLetterService
from aisre.services.deploys import DeployService
from aisre.services.incidents import IncidentService
from aisre.services.ingest import IngestService
from aisre.services.intake import AlertIntake
from aisre.services.pagerduty import PagerDutySync
from aisre.settings import Settings, get_settings


@dataclass(frozen=True)
class Platform:
    settings: Settings
    keyring: Keyring
    pagerduty_secrets: list[str]
    grafana_secrets: list[str]
    incident_store: DynamoIncidentStore
    receipts: DynamoReceiptStore
    ingest: IngestService
    intake: AlertIntake
    incidents: IncidentService
    dead_letters: DeadLetterService
    deploys: DeployService
    pagerduty: PagerDutySync


def build_platform(settings: Settings) -> Platform:
    configure_records(
        table_name=settings.table_name, region=settings.aws_region, endpoint_url=settings.aws_endpoint_url
    )
    connection = Connection(region=settings.aws_region, host=settings.aws_endpoint_url, max_pool_connections=64)
    secrets = load_secrets(settings)
    incident_store = DynamoIncidentStore(connection)
    deploy_store = DynamoDeployStore()
    dead_letter_store = DynamoDeadLetterStore()
    ingest = IngestService(
        incident_store,
        correlation_window=timedelta(minutes=settings.correlation_window_minutes),
        deploy_lookback=timedelta(minutes=settings.deploy_lookback_minutes),
    )
    intake = AlertIntake(ingest, dead_letter_store, dead_letter_retention_days=settings.dead_letter_retention_days)
    incidents = IncidentService(incident_store, deploy_store)
    return Platform(
        settings=settings,
        keyring=Keyring(secrets.api_keys),
        pagerduty_secrets=split_secrets(secrets.pagerduty_webhook_secret),
        grafana_secrets=split_secrets(secrets.grafana_webhook_secret),
        incident_store=incident_store,
        receipts=DynamoReceiptStore(),
        ingest=ingest,
        intake=intake,
        incidents=incidents,
        dead_letters=DeadLetterService(dead_letter_store, intake),
        deploys=DeployService(deploy_store, retention_days=settings.deploy_retention_days),
        pagerduty=PagerDutySync(intake, incidents, incident_store),
    )


@lru_cache(maxsize=1)
def get_platform() -> Platform:
    return build_platform(get_settings())


def reset_platform() -> None:
    get_platform.cache_clear()
