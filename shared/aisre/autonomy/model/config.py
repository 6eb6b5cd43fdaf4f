"""Autonomy's configuration (seed 001's /autonomy/status fields), and the way a cycle acts that follows from it."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, field_validator

from aisre.core.errors import ValidationError
from aisre.remediation.model.actions import CATALOG, is_namespace_name


class Mode(StrEnum):
    """How a cycle acts on a suggestion it may take: a dry run; an approval asked of a person; or the action
    carried out where the policy lets it run without one (it still asks where the policy says a person decides)."""

    DRY_RUN = "dry_run"
    APPROVAL = "approval"
    EXECUTE = "execute"


class AutonomyConfig(BaseModel):
    model_config = ConfigDict(frozen=True)

    enabled: bool = False
    approval_required: bool = True
    default_dry_run: bool = True
    poll_interval_seconds: int = 60
    max_incidents_per_cycle: int = Field(20, ge=1)
    autonomous_actions: tuple[str, ...] = ("restart_pod",)
    allowed_namespaces: tuple[str, ...] = ()
    deployment_profile: str = "aws"

    @field_validator("autonomous_actions")
    @classmethod
    def _executable_actions(cls, names: tuple[str, ...]) -> tuple[str, ...]:
        unknown = sorted(name for name in names if name not in CATALOG)
        if unknown:
            raise ValueError(f"unknown action(s) {', '.join(unknown)}; known: {', '.join(sorted(CATALOG))}")
        advice = sorted(name for name in names if not CATALOG[name].executable)
        if advice:
            raise ValueError(f"{', '.join(advice)}: advice only, nothing for autonomy to carry out")
        return names

    @field_validator("allowed_namespaces")
    @classmethod
    def _namespace_names(cls, names: tuple[str, ...]) -> tuple[str, ...]:
        malformed = [name for name in names if not is_namespace_name(name)]
        if malformed:
            raise ValueError(f"not valid Kubernetes namespace names: {', '.join(map(repr, malformed))}")
        return names

    @property
    def mode(self) -> Mode:
        if self.default_dry_run:
            return Mode.DRY_RUN
        return Mode.APPROVAL if self.approval_required else Mode.EXECUTE


def names(text: str) -> tuple[str, ...]:
    """A comma-separated setting as its names, blanks dropped, each once, in order."""
    return tuple(dict.fromkeys(part.strip() for part in text.split(",") if part.strip()))


def load_config(
    *,
    enabled: bool,
    approval_required: bool,
    default_dry_run: bool,
    poll_interval_seconds: int,
    max_incidents_per_cycle: int,
    autonomous_actions: str,
    allowed_namespaces: str,
    deployment_profile: str,
) -> AutonomyConfig:
    """The configuration from the settings' values; ValidationError names the setting at fault, so that a misspelt
    action or namespace is said, never silently dropped from an allow-list."""
    import pydantic

    try:
        return AutonomyConfig(
            enabled=enabled,
            approval_required=approval_required,
            default_dry_run=default_dry_run,
            poll_interval_seconds=poll_interval_seconds,
            max_incidents_per_cycle=max_incidents_per_cycle,
            autonomous_actions=names(autonomous_actions),
            allowed_namespaces=names(allowed_namespaces),
            deployment_profile=deployment_profile,
        )
    except pydantic.ValidationError as error:
        first = error.errors()[0]
        setting = {"autonomous_actions": "AUTONOMY_ACTIONS", "allowed_namespaces": "AUTONOMY_ALLOWED_NAMESPACES"}.get(
            str(first["loc"][0]) if first["loc"] else "", "AUTONOMY_*"
        )
        message = first["msg"].removeprefix("Value error, ")
        raise ValidationError(f"invalid {setting}: {message}", field=setting) from error
