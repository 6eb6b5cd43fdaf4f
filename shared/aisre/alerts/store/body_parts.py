"""Bodies as received, kept in items under DynamoDB's 400 KB item limit: compressed when large, then split."""

from __future__ import annotations

import base64
import zlib

_COMPRESS_ABOVE = 16 * 1024
PART_SIZE = 300 * 1024


def part_sk(index: int) -> str:
    return f"PART#{index:04d}"


def encode_body(body: bytes) -> tuple[str, list[str]]:
    """(encoding, parts): the body as text, split in PART_SIZE slices (at least one, maybe empty). The encoding
    names the parts' count when there is more than one ("zlib+base64;parts=3")."""
    encoding, text = _encode(body)
    parts = [text[i : i + PART_SIZE] for i in range(0, len(text), PART_SIZE)] or [""]
    return (f"{encoding};parts={len(parts)}" if len(parts) > 1 else encoding), parts


def has_more_parts(encoding: str) -> bool:
    return ";parts=" in encoding


def decode_body(encoding: str, text: str) -> bytes:
    """The bytes from the joined parts' text and the encoding encode_body named."""
    kind = encoding.partition(";parts=")[0]
    if kind == "zlib+base64":
        return zlib.decompress(base64.b64decode(text))
    if kind == "base64":
        return base64.b64decode(text)
    return text.encode("utf-8")


def _encode(body: bytes) -> tuple[str, str]:
    if len(body) > _COMPRESS_ABOVE:
        return "zlib+base64", base64.b64encode(zlib.compress(body, 6)).decode("ascii")
    try:
        return "utf-8", body.decode("utf-8")
    except UnicodeDecodeError:
        return "base64", base64.b64encode(body).decode("ascii")
