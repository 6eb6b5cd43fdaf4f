"""The emulator's header parser gives what http.client's would, for any header block."""

from __future__ import annotations

import http.client
import io

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aisre.local.fast_headers import parse_headers

_token = st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_", min_size=1, max_size=20)
_value = st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=255, exclude_characters="\r\n"), max_size=40)
# Ordinary "Name: value" lines, plus the odd ones the standard parser must take over: folded
# continuations, lines without a colon, blanks before the colon.
_line = st.one_of(
    st.tuples(_token, _value).map(lambda pair: f"{pair[0]}: {pair[1]}"),
    st.tuples(_token, _value).map(lambda pair: f"{pair[0]}:{pair[1]}"),
    _value.map(lambda value: f" {value}"),
    _token,
    st.tuples(_token, _value).map(lambda pair: f"{pair[0]} : {pair[1]}"),
)


def _both(block: bytes) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    ours = parse_headers(io.BytesIO(block))
    theirs = http.client.parse_headers(io.BytesIO(block))
    return list(ours.items()), list(theirs.items())


@given(st.lists(_line, max_size=12), st.sampled_from(["\r\n", "\n"]))
def test_any_header_block_parses_as_the_standard_library_parses_it(lines: list[str], newline: str) -> None:
    block = "".join(line + newline for line in lines).encode("latin-1") + newline.encode()
    ours, theirs = _both(block)
    assert ours == theirs


def test_reads_up_to_the_blank_line_and_leaves_the_body() -> None:
    stream = io.BytesIO(b"Content-Type: application/json\r\nX-Amz-Target: DynamoDB_20120810.GetItem\r\n\r\n{}")
    message = parse_headers(stream)
    assert message["content-type"] == "application/json"
    assert message.get_all("X-Amz-Target") == ["DynamoDB_20120810.GetItem"]
    assert stream.read() == b"{}"


def test_repeated_headers_are_all_kept() -> None:
    message = parse_headers(io.BytesIO(b"Set-Cookie: a=1\r\nSet-Cookie: b=2\r\n\r\n"))
    assert message.get_all("Set-Cookie") == ["a=1", "b=2"]


def test_too_many_headers_is_refused_like_the_standard_library() -> None:
    block = b"".join(f"H{index}: v\r\n".encode() for index in range(101)) + b"\r\n"
    with pytest.raises(http.client.HTTPException, match="more than 100 headers"):
        parse_headers(io.BytesIO(block))
