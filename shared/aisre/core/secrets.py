"""Secrets from Secrets Manager or SSM (aws), or straight from settings (local); cached by Powertools."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from aisre.core.errors import ValidationError
from aisre.core.settings import Settings

_CACHE_SECONDS = 300


@dataclass(frozen=True)
class Secrets:
    api_keys: str
    pagerduty_webhook_secret: str
    grafana_webhook_secret: str
    openai_api_key: str = ""
    embeddings_api_key: str = ""
    slack_signing_secret: str = ""
    smtp_password: str = ""


def load_secrets(settings: Settings) -> Secrets:
    """The secrets in force: AISRE_SECRETS_SOURCE's JSON object, where set, over the plain settings."""
    stored = _fetch(settings.secrets_source) if settings.secrets_source else {}
    return Secrets(
        api_keys=str(stored.get("AI_SRE_API_KEYS", settings.api_keys)),
        pagerduty_webhook_secret=str(stored.get("PAGERDUTY_WEBHOOK_SECRET", settings.pagerduty_webhook_secret)),
        grafana_webhook_secret=str(stored.get("GRAFANA_WEBHOOK_SECRET", settings.grafana_webhook_secret)),
        openai_api_key=str(stored.get("OPENAI_API_KEY", settings.openai_api_key)),
        embeddings_api_key=str(stored.get("EMBEDDINGS_API_KEY", settings.embeddings_api_key)),
        slack_signing_secret=str(stored.get("SLACK_SIGNING_SECRET", settings.slack_signing_secret)),
        smtp_password=str(stored.get("SMTP_PASSWORD", settings.smtp_password)),
    )


def _fetch(source: str) -> dict[str, Any]:
    # Imported here: the parameters utility pulls in boto3, which only a configured source needs.
    from aws_lambda_powertools.utilities import parameters

    kind, _, name = source.partition(":")
    if kind == "secretsmanager" and name:
        value = parameters.get_secret(name, transform="json", max_age=_CACHE_SECONDS)
    elif kind == "ssm" and name:
        value = parameters.get_parameter(name, decrypt=True, transform="json", max_age=_CACHE_SECONDS)
    else:
        raise ValidationError(
            "AISRE_SECRETS_SOURCE must be secretsmanager:<arn or name> or ssm:<parameter name>",
            field="AISRE_SECRETS_SOURCE",
        )
    if not isinstance(value, dict):
        raise ValidationError(f"secret {name} must hold a JSON object", field="AISRE_SECRETS_SOURCE")
    return value
