"""HTTP to receivers outside the platform (channels, outgoing webhooks), with the SSRF guard: the host is resolved
once, every address it resolves to is checked, and the connection goes to the address checked, so a DNS answer that
changes between the check and the connection (rebinding) cannot steer it inside. Redirects are not followed (a 3xx
is the receiver's answer, recorded as such): following one would be a second, unchecked request.

Standard library only: the notification functions carry no HTTP client package, and http.client lets the
connection be pinned to the checked address while TLS still verifies the certificate against the host's name."""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
from collections.abc import Mapping
from urllib.parse import urlsplit

from aisre.notifications.errors import OutboundAddressError
from aisre.notifications.ports import HttpAnswer

MAX_ANSWER_BYTES = 64 * 1024
USER_AGENT = "aisre-notifications/1"

IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# Cloud instance metadata: never reachable, whatever the settings say (credentials live there).
_METADATA = frozenset(
    ipaddress.ip_address(address)
    for address in ("169.254.169.254", "169.254.170.2", "fd00:ec2::254", "100.100.100.200", "192.0.0.192")
)
_CARRIER_NAT = ipaddress.ip_network("100.64.0.0/10")


def refusal(address: IpAddress, allow_private: bool) -> str | None:
    """Why `address` may not be reached, or None when it may."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if address in _METADATA:
        return "a cloud metadata address"
    if address.is_link_local:
        return "a link-local address"
    if address.is_multicast or address.is_unspecified or address.is_reserved:
        return "not a unicast address"
    if allow_private:
        return None
    if address.is_loopback:
        return "a loopback address"
    if address.is_private or address in _CARRIER_NAT:
        return "a private address"
    if not address.is_global:
        return "not a public address"
    return None


def check_host(host: str, port: int, allow_private: bool) -> list[str]:
    """The addresses `host` resolves to, each allowed; OutboundAddressError naming the first that is not (a name
    resolving to one public and one private address is refused: the connection could take either)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise OutboundAddressError(f"{host} does not resolve: {exc}", field="url") from None
    addresses: list[str] = []
    for info in infos:
        address = str(info[4][0])
        why = refusal(ipaddress.ip_address(address.split("%")[0]), allow_private)
        if why is not None:
            raise OutboundAddressError(
                f"{host} resolves to {address}, {why}: outgoing requests do not go there "
                "(OUTBOUND_ALLOW_PRIVATE_NETWORKS allows loopback and private addresses)",
                field="url",
            )
        if address not in addresses:
            addresses.append(address)
    return addresses


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, host: str, port: int, address: str, timeout: float, context: ssl.SSLContext) -> None:
        super().__init__(host, port, timeout=timeout, context=context)
        self._address = address
        self._tls = context

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        # The certificate is checked against the URL's host name, not the address connected to.
        self.sock = self._tls.wrap_socket(sock, server_hostname=self.host)


class GuardedHttp:
    """ports.OutboundHttp over http.client. `tls_context` stands in for the system's trust store (tests)."""

    def __init__(self, allow_private: bool = False, tls_context: ssl.SSLContext | None = None) -> None:
        self.allow_private = allow_private
        self._tls = tls_context or ssl.create_default_context()

    def post(
        self, url: str, body: bytes, headers: Mapping[str, str], timeout: float = 10.0, method: str = "POST"
    ) -> HttpAnswer:
        try:
            parts = urlsplit(url)
            host, port = parts.hostname, parts.port
        except ValueError:
            raise OutboundAddressError(f"{url!r} is not a URL", field="url") from None
        if parts.scheme not in ("http", "https") or not host:
            raise OutboundAddressError(f"{url!r} is not an http(s) URL", field="url")
        port = port or (443 if parts.scheme == "https" else 80)
        address = check_host(host, port, self.allow_private)[0]
        connection: http.client.HTTPConnection
        if parts.scheme == "https":
            connection = _PinnedHTTPSConnection(host, port, address, timeout, self._tls)
        else:
            connection = _PinnedHTTPConnection(host, port, address, timeout)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        sent = {"User-Agent": USER_AGENT, **headers}
        try:
            connection.request(method, target, body=body, headers=sent)
            response = connection.getresponse()
            answer = response.read(MAX_ANSWER_BYTES)
            return HttpAnswer(response.status, answer, {key.lower(): value for key, value in response.getheaders()})
        except (http.client.HTTPException, ssl.SSLError) as exc:
            # A receiver that answers something that is not HTTP: an OSError like a refused connection, to the sender.
            raise OSError(f"{type(exc).__name__}: {exc}") from exc
        finally:
            connection.close()
