"""The notifications' errors, each a core error so that it maps to HTTP once (core/http/errors.py)."""

from __future__ import annotations

from aisre.core.errors import AuthenticationError, ConflictError, ForbiddenError, UpstreamError, ValidationError


class ChannelConfigError(ValidationError):
    """A channel's type or config is not one the platform can send to (422 naming the field)."""


class OutboundAddressError(ForbiddenError):
    """An outgoing request would reach a loopback, link-local, metadata or private address, and the settings do
    not allow it (OUTBOUND_ALLOW_PRIVATE_NETWORKS)."""


class DeliveryError(UpstreamError):
    """A receiver did not take a delivery (its answer is recorded on the delivery)."""


class WebhookConfigError(ValidationError):
    """An outgoing webhook's URL, events or secret cannot be used (422 naming the field: url, events[i], secret)."""


class TriggerConfigError(ValidationError):
    """A trigger's type, conditions or action cannot be used (422 naming the field: type, config.<key>,
    action.<key>), or its action names a channel or workflow that does not exist."""


class WebhookSecretError(ValidationError):
    """An outgoing webhook's secret is not a Standard Webhooks secret (`whsec_` + base64)."""


class SlackNotConfiguredError(AuthenticationError):
    """No Slack signing secret is configured: no interactivity request can be told from a forgery, so none is
    acted on (401, naming SLACK_SIGNING_SECRET)."""


class ScheduleError(ValidationError):
    """An on-call schedule that cannot be: an unknown time zone, a layer without participants, overlapping
    overrides... (422 naming the field: `layers[0].participants`, `time_zone`, `overrides[1]`)."""


class EscalationPolicyError(ValidationError):
    """An escalation policy that cannot be: no levels, a target that is neither a schedule nor a user, a schedule
    that does not exist (422 naming the field: `levels[0].targets[1].schedule`)."""


class ServiceClaimedError(ConflictError):
    """A service is another escalation policy's already (409 naming the field and, in details, that policy): one
    policy per service, so that /oncall/current and an incident's escalation have one answer."""


class RoutingRuleError(ValidationError):
    """A routing rule's match or channels cannot be used (422 naming the field: `match.labels.team`, `channels[0]`)."""


class RoutesFileError(ValidationError):
    """The routes file (NOTIFICATION_ROUTES_FILE, or the built-in routes.yaml) cannot be used; `field` names the key.
    Raised when the routing is first built (the notifications function's start), as core/secrets.py refuses a bad
    AISRE_SECRETS_SOURCE."""


class ChannelInUseError(ConflictError):
    """A channel that routing rules name cannot be deleted; `details.rules` names them."""
