"""The normalized alert every provider's payload becomes."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class Severity(StrEnum):
    CRITICAL = "critical"
    HIGH = "high"
    WARNING = "warning"
    INFO = "info"


class AlertStatus(StrEnum):
    FIRING = "firing"
    RESOLVED = "resolved"


FingerprintKind = Literal["provider", "identity"]


class Alert(BaseModel):
    """One alert, whatever tool sent it.

    `provider` is the normalizer that read it (alertmanager, grafana, webhook, ...); `source` is the
    monitoring tool it says it came from (prometheus, datadog, ...), the provider when it says nothing.
    `fingerprint` is the provider's own identity of the alert when it has one (`fingerprint_kind`
    "provider", used as given), else one computed from the alert's identity ("identity").
    """

    model_config = ConfigDict(frozen=True)

    provider: str
    source: str
    title: str
    description: str = ""
    severity: Severity = Severity.WARNING
    status: AlertStatus = AlertStatus.FIRING
    labels: dict[str, str] = Field(default_factory=dict)
    annotations: dict[str, str] = Field(default_factory=dict)
    service: str | None = None
    namespace: str | None = None
    pod: str | None = None
    deployment: str | None = None
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    links: list[str] = Field(default_factory=list)
    fingerprint: str
    fingerprint_kind: FingerprintKind = "identity"
    external_id: str | None = None  # the provider's id of the alert or incident, when it has one
    # Fields cut to fit the store (incidents/model/alert_bounds.py), and the id of the payload kept whole.
    truncated_fields: list[str] = Field(default_factory=list)
    raw_payload_id: str | None = None

    @property
    def is_resolved(self) -> bool:
        return self.status is AlertStatus.RESOLVED
