"""HTTP header parsing without the email package, for the emulator's loopback traffic.

The standard library parses every HTTP header block (requests in http.server, responses in
http.client) with email.parser's FeedParser: about a sixth of the emulator's time per DynamoDB call.
Plain "Name: value" lines, which is all that AWS SDKs and the emulator ever send, are split here in a
loop; anything unusual (a folded continuation line, a line without a colon) goes to the standard
parser, so the result is always what the standard library would have produced.
"""

from __future__ import annotations

import http.client
import io
from typing import Any

_MAX_LINE = 65536
_MAX_HEADERS = 100
_standard_parse_headers = http.client.parse_headers


def read_header_lines(fp: Any) -> list[bytes]:
    """The header lines up to and including the blank line, with the standard library's limits."""
    lines: list[bytes] = []
    while True:
        line = fp.readline(_MAX_LINE + 1)
        if len(line) > _MAX_LINE:
            raise http.client.LineTooLong("header line")
        lines.append(line)
        if len(lines) > _MAX_HEADERS:
            raise http.client.HTTPException(f"got more than {_MAX_HEADERS} headers")
        if line in (b"\r\n", b"\n", b""):
            return lines


def parse_header_lines(lines: list[bytes], message_class: type[Any] = http.client.HTTPMessage) -> Any:
    message = message_class()
    for line in lines:
        if line in (b"\r\n", b"\n", b""):
            break
        text = line.decode("iso-8859-1")
        name, colon, value = text.partition(":")
        if not colon or text[0] in " \t" or name != name.strip():
            return _standard_parse_headers(io.BytesIO(b"".join(lines)), _class=message_class)
        # email's compat32 policy: leading blanks off the value, the line ending off its end.
        message[name] = value.lstrip(" \t").rstrip("\r\n")
    return message


def parse_headers(fp: Any, _class: type[Any] = http.client.HTTPMessage) -> Any:
    """Drop-in for http.client.parse_headers."""
    return parse_header_lines(read_header_lines(fp), _class)


def install() -> None:
    """Use parse_headers for every HTTP message of this process (the emulator's only: see emulator.serve)."""
    http.client.parse_headers = parse_headers  # type: ignore[assignment]
