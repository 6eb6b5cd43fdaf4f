"""The notifications' errors, each a core error so that it maps to HTTP once (core/http/errors.py)."""

from __future__ import annotations

from aisre.core.errors import ConflictError, ForbiddenError, UpstreamError, ValidationError


class ChannelConfigError(ValidationError):
    """A channel's type or config is not one the platform can send to (422 naming the field)."""


class OutboundAddressError(ForbiddenError):
    """An outgoing request would reach a loopback, link-local, metadata or private address, and the settings do
    not allow it (OUTBOUND_ALLOW_PRIVATE_NETWORKS)."""


class DeliveryError(UpstreamError):
    """A receiver did not take a delivery (its answer is recorded on the delivery)."""


class RoutingRuleError(ValidationError):
    """A routing rule's match or channels cannot be used (422 naming the field: `match.labels.team`, `channels[0]`)."""


class RoutesFileError(ValidationError):
    """The routes file (NOTIFICATION_ROUTES_FILE, or the built-in routes.yaml) cannot be used; `field` names the key.
    Raised when the routing is first built (the notifications function's start), as core/secrets.py refuses a bad
    AISRE_SECRETS_SOURCE."""


class ChannelInUseError(ConflictError):
    """A channel that routing rules name cannot be deleted; `details.rules` names them."""
