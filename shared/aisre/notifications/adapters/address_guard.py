"""ports.UrlGuard over the outbound client's SSRF check: where a webhook's URL leads is checked when it is saved
(every address its host resolves to), so that a URL into the platform's own network is a 422 at once, not a
delivery that fails later. The sender checks again at each delivery (a name may resolve elsewhere by then)."""

from __future__ import annotations

from urllib.parse import urlsplit

from aisre.notifications.adapters.outbound import check_host
from aisre.notifications.errors import OutboundAddressError, WebhookConfigError


class ResolvingUrlGuard:
    def __init__(self, allow_private: bool):
        self._allow_private = allow_private

    def check(self, url: str) -> None:
        try:
            parts = urlsplit(url)
            host, port = parts.hostname, parts.port or (443 if parts.scheme == "https" else 80)
        except ValueError:
            raise WebhookConfigError(f"url {url!r} is not a URL", field="url") from None
        if not host:
            raise WebhookConfigError("url has no host", field="url")
        try:
            check_host(host, port, self._allow_private)
        except OutboundAddressError as refused:
            raise WebhookConfigError(f"url: {refused.message}", field="url") from None
