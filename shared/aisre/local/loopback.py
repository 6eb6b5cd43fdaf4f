"""A lean HTTP/1.1 transport for botocore clients that talk to the embedded emulator on loopback.

botocore sends through urllib3 and http.client, whose connection pool bookkeeping and email-package
header parsing cost about a third of the platform's time per DynamoDB call locally: more than the
platform's own work on a duplicate alert. This transport answers botocore's documented `before-send`
event (the hook botocore's own Stubber and moto use), writing the already-signed request on a
keep-alive socket per thread and reading the response back, so everything else botocore does
(serialization, signing, retries, error parsing) is unchanged. It is attached only by the local stack
and only to requests for the emulator's own address; anything else goes through botocore as usual.
"""

from __future__ import annotations

import http.client
import socket
import threading
import urllib.parse
from typing import Any

from botocore.awsrequest import AWSPreparedRequest, AWSResponse, HeadersDict
from botocore.exceptions import ConnectionClosedError, EndpointConnectionError

_MAX_STATUS_LINE = 65536
_MAX_HEADER_LINE = 65536
_MAX_HEADERS = 100


class _Body:
    """What AWSResponse reads its content from (urllib3's response in botocore's own transport)."""

    def __init__(self, data: bytes) -> None:
        self._data = data

    def stream(self, **_: Any) -> Any:
        yield self._data


class _Channel:
    """One keep-alive connection: a socket and its buffered reader."""

    def __init__(self, address: tuple[str, int], timeout: float) -> None:
        self.sock = socket.create_connection(address, timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.reader = self.sock.makefile("rb")

    def close(self) -> None:
        self.reader.close()
        self.sock.close()


class LoopbackTransport:
    """Sends botocore's prepared requests for `endpoint_url` over one keep-alive connection per thread."""

    def __init__(self, endpoint_url: str, timeout: float = 60.0) -> None:
        parts = urllib.parse.urlsplit(endpoint_url)
        if parts.scheme != "http" or not parts.hostname:
            raise ValueError(f"a loopback transport needs a plain http:// endpoint, not {endpoint_url!r}")
        self._address = (parts.hostname, parts.port or 80)
        self._prefix = f"http://{parts.netloc}"
        self._host_header = parts.netloc
        self._timeout = timeout
        self._local = threading.local()

    def attach(self, client: Any) -> None:
        """Serve `client`'s requests to the endpoint (a botocore client; others are left alone)."""
        from aisre.local import speedups

        if speedups.enabled("loopback"):
            client.meta.events.register("before-send", self.send)

    def send(self, request: AWSPreparedRequest, **_: Any) -> AWSResponse | None:
        if not self._is_ours(request.url):
            return None
        body = request.body
        if isinstance(body, str):
            body = body.encode()
        elif body is None:
            body = b""
        elif not isinstance(body, bytes | bytearray):
            return None  # a streamed body: botocore's own transport handles those
        message = self._encode(request, bytes(body))
        for attempt in range(2):
            channel: _Channel | None = getattr(self._local, "channel", None)
            reused = channel is not None
            try:
                if channel is None:
                    channel = self._local.channel = _Channel(self._address, self._timeout)
                channel.sock.sendall(message)
                status, headers, payload = _read_response(channel.reader, request.method == "HEAD")
            except (OSError, ValueError) as error:
                self._drop()
                # A kept-alive connection the server has since closed fails before any answer: try
                # once more on a new one, as urllib3 does. A new connection's failure is the answer.
                if reused and attempt == 0:
                    continue
                if isinstance(error, ConnectionRefusedError | socket.timeout):
                    raise EndpointConnectionError(endpoint_url=request.url, error=error) from error
                raise ConnectionClosedError(endpoint_url=request.url, error=error) from error
            if headers.get("connection", "").lower() == "close":
                self._drop()
            return AWSResponse(request.url, status, headers, _Body(payload))
        raise AssertionError("unreachable: the second attempt returns or raises")

    def _is_ours(self, url: str) -> bool:
        # The character after the authority decides: http://127.0.0.1:80 is not http://127.0.0.1:8000.
        return url.startswith(self._prefix) and url[len(self._prefix) : len(self._prefix) + 1] in ("", "/", "?")

    def _encode(self, request: AWSPreparedRequest, body: bytes) -> bytes:
        path = request.url[len(self._prefix) :] or "/"
        lines = [f"{request.method} {path} HTTP/1.1", f"Host: {self._host_header}"]
        for name, value in request.headers.items():
            if name.lower() in ("host", "content-length", "connection", "transfer-encoding"):
                continue
            lines.append(f"{name}: {value.decode('latin-1') if isinstance(value, bytes) else value}")
        lines.append(f"Content-Length: {len(body)}")
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body

    def _drop(self) -> None:
        channel: _Channel | None = getattr(self._local, "channel", None)
        self._local.channel = None
        if channel is not None:
            channel.close()


def _read_response(reader: Any, head_only: bool) -> tuple[int, HeadersDict, bytes]:
    status_line = reader.readline(_MAX_STATUS_LINE)
    if not status_line:
        raise ConnectionResetError("the connection closed before a response")
    version, _, rest = status_line.decode("latin-1").partition(" ")
    if not version.startswith("HTTP/"):
        raise ValueError(f"not an HTTP response: {status_line[:80]!r}")
    status = int(rest.split(" ", 1)[0])
    headers = HeadersDict()
    for line in read_header_lines(reader):
        name, colon, value = line.decode("latin-1").partition(":")
        if colon:
            headers[name.strip()] = value.strip()
    if head_only or status in (204, 304) or 100 <= status < 200:
        return status, headers, b""
    length = headers.get("content-length")
    if length is not None:
        payload = reader.read(int(length))
        if len(payload) != int(length):
            raise ConnectionResetError("the connection closed mid-response")
    elif headers.get("transfer-encoding", "").lower() == "chunked":
        payload = _read_chunked(reader)
    else:
        payload = reader.read()  # delimited by the connection's end
        headers["connection"] = "close"
    return status, headers, payload


def _read_chunked(reader: Any) -> bytes:
    chunks: list[bytes] = []
    while True:
        size = int(reader.readline(_MAX_STATUS_LINE).split(b";", 1)[0], 16)
        if size == 0:
            read_header_lines(reader)  # trailers, then the blank line
            return b"".join(chunks)
        chunks.append(reader.read(size))
        reader.readline(_MAX_STATUS_LINE)  # the CRLF after each chunk


def read_header_lines(reader: Any) -> list[bytes]:
    """The header lines up to and including the blank line, with http.client's limits."""
    lines: list[bytes] = []
    while True:
        line = reader.readline(_MAX_HEADER_LINE + 1)
        if len(line) > _MAX_HEADER_LINE:
            raise http.client.LineTooLong("header line")
        lines.append(line)
        if len(lines) > _MAX_HEADERS:
            raise http.client.HTTPException(f"got more than {_MAX_HEADERS} headers")
        if line in (b"\r\n", b"\n", b""):
            return lines
