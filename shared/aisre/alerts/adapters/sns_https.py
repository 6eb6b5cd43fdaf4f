"""Amazon SNS's HTTP(S) subscriptions: verifying a delivery's signature and confirming a subscription.

Both fetch a URL the message names (its signing certificate, its confirmation link); nothing is fetched
unless `trusted_url` accepts it (by default: https on an SNS endpoint's host), and redirects are refused
so that an accepted URL cannot lead elsewhere.
"""

from __future__ import annotations

import base64
import binascii
import re
import threading
import urllib.error
import urllib.request
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from aisre.alerts.model.sns_messages import SnsMessage, is_sns_url, signature_hash, string_to_sign
from aisre.core.errors import (
    PayloadError,
    SignatureMalformedError,
    SignatureMismatchError,
    SignatureMissingError,
    UpstreamError,
)

FETCH_TIMEOUT_SECONDS = 5.0
MAX_RESPONSE_BYTES = 64 * 1024  # a PEM certificate or a ConfirmSubscription answer is a few KB
CERTIFICATES_KEPT = 16  # SNS rotates its signing certificate rarely; one per region in use is plenty

_SUBSCRIPTION_ARN = re.compile(r"<SubscriptionArn>([^<]+)</SubscriptionArn>")


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # a 3xx then surfaces as an HTTPError


_OPENER = urllib.request.build_opener(_NoRedirects)


def https_get(url: str) -> bytes:
    try:
        with _OPENER.open(url, timeout=FETCH_TIMEOUT_SECONDS) as response:
            return bytes(response.read(MAX_RESPONSE_BYTES))
    except (urllib.error.URLError, OSError, ValueError) as error:
        raise UpstreamError(f"could not fetch {url}: {error}") from error


class SnsHttpsClient:
    def __init__(self, *, trusted_url: Callable[[str], bool] = is_sns_url, fetch: Callable[[str], bytes] = https_get):
        self._trusted_url = trusted_url
        self._fetch = fetch
        self._certificates: OrderedDict[str, Any] = OrderedDict()
        self._lock = threading.Lock()

    def verify(self, message: SnsMessage) -> None:
        """Raise unless SNS signed this message with the certificate it names."""
        from cryptography.exceptions import InvalidSignature
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import padding

        encoded = message.fields.get("Signature")
        if not isinstance(encoded, str) or not encoded:
            raise SignatureMissingError("SNS message has no Signature", field="Signature")
        try:
            signature = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError) as error:
            raise SignatureMalformedError("SNS Signature is not base64", field="Signature") from error
        algorithm = hashes.SHA1() if signature_hash(message) == "sha1" else hashes.SHA256()
        public_key = self._certificate(message).public_key()
        try:
            public_key.verify(signature, string_to_sign(message), padding.PKCS1v15(), algorithm)
        except InvalidSignature as error:
            raise SignatureMismatchError("SNS Signature does not match the message", field="Signature") from error

    def confirm(self, message: SnsMessage) -> str | None:
        """Visit the SubscribeURL, as SNS asks; returns the subscription's ARN when SNS names it."""
        url = message.text("SubscribeURL")
        if not self._trusted_url(url):
            raise PayloadError("SubscribeURL is not an https URL on an SNS endpoint", field="SubscribeURL")
        answer = self._fetch(url).decode("utf-8", "replace")
        match = _SUBSCRIPTION_ARN.search(answer)
        return match.group(1) if match else None

    def _certificate(self, message: SnsMessage) -> Any:
        from cryptography import x509

        url = message.fields.get("SigningCertURL")
        if not isinstance(url, str) or not url:
            raise SignatureMissingError("SNS message has no SigningCertURL", field="SigningCertURL")
        if not self._trusted_url(url):
            raise SignatureMalformedError(
                "SigningCertURL is not an https URL on an SNS endpoint", field="SigningCertURL"
            )
        with self._lock:
            if url in self._certificates:
                self._certificates.move_to_end(url)
                return self._certificates[url]
        try:
            certificate = x509.load_pem_x509_certificate(self._fetch(url))
        except ValueError as error:
            raise UpstreamError(f"{url} did not return a PEM certificate") from error
        with self._lock:
            self._certificates[url] = certificate
            while len(self._certificates) > CERTIFICATES_KEPT:
                self._certificates.popitem(last=False)
        return certificate
