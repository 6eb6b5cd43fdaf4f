"""Which paths name a console asset, each asset's content type and cache tag, and the headers every console
response carries (a Content-Security-Policy of the platform's own origin only)."""

from __future__ import annotations

import base64
import gzip
import hashlib
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

# Only the kinds of file the console ships; anything else is not an asset (404), whatever the folder holds.
CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
    ".json": "application/json",
    ".txt": "text/plain; charset=utf-8",
    ".md": "text/plain; charset=utf-8",
}
# A segment: letters, digits, '.', '_' or '-', not starting with a dot (no '..', no hidden files).
_SEGMENT = re.compile(r"^[A-Za-z0-9_-][A-Za-z0-9._-]{0,99}$")
_MAX_DEPTH = 4
_INLINE_SCRIPT = re.compile(r"<script type=\"importmap\">(.*?)</script>", re.DOTALL)
# Revalidate every time: asset names carry no version, and a 304 costs a few bytes.
CACHE_CONTROL = "no-cache"


@dataclass(frozen=True)
class Asset:
    """One file of the console, as served."""

    path: str
    body: bytes
    content_type: str
    etag: str
    # The body gzipped (None: gzip would not make it smaller), sent to browsers that accept it, so the first load
    # stays small where nothing in front compresses (API Gateway's HTTP APIs do not).
    gzipped: bytes | None = None

    @property
    def gzip_etag(self) -> str:
        return self.etag[:-1] + '-gz"'


def asset_path(requested: str) -> str | None:
    """The asset a request path names (`pages/incidents.js`), or None when it cannot name one: a traversal
    (`..`), a hidden file, a backslash or an encoded separator, an absolute path, a type the console does not ship."""
    parts = requested.split("/")
    if not 0 < len(parts) <= _MAX_DEPTH or not all(_SEGMENT.match(part) for part in parts):
        return None
    if content_type(requested) is None:
        return None
    return requested


def content_type(path: str) -> str | None:
    dot = path.rfind(".")
    return CONTENT_TYPES.get(path[dot:].lower()) if dot > 0 else None


def make_asset(path: str, body: bytes) -> Asset:
    kind = content_type(path) or "application/octet-stream"
    digest = hashlib.sha256(body).hexdigest()[:32]
    packed = gzip.compress(body, compresslevel=9, mtime=0)
    return Asset(path, body, kind, f'"{digest}"', packed if len(packed) < len(body) else None)


def accepts_gzip(accept_encoding: str | None) -> bool:
    """Accept-Encoding names gzip without refusing it (`gzip;q=0`)."""
    for coding in (accept_encoding or "").lower().split(","):
        name, _, params = coding.strip().partition(";")
        if name.strip() in ("gzip", "*") and params.replace(" ", "") not in ("q=0", "q=0.0", "q=0.00", "q=0.000"):
            return True
    return False


def etag_matches(if_none_match: str | None, etag: str) -> bool:
    """If-None-Match names this version (a list, weak tags, or `*`)."""
    if not if_none_match:
        return False
    tags = [tag.strip().removeprefix("W/") for tag in if_none_match.split(",")]
    return "*" in tags or etag in tags


def inline_script_hashes(html: str) -> list[str]:
    """CSP sources for the page's import map, the one inline script (browsers cannot load one from a file)."""
    return [
        "'sha256-" + base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii") + "'"
        for script in _INLINE_SCRIPT.findall(html)
    ]


def live_source(url: str | None) -> str | None:
    """The live events URL as a CSP source (scheme://host[:port]), or None when unset or not a ws/wss/http(s) URL:
    nothing from a setting reaches the header unless it parses as an origin."""
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in ("ws", "wss", "http", "https") or not parts.hostname:
        return None
    if not re.fullmatch(r"[A-Za-z0-9.-]+", parts.hostname):
        return None
    return f"{parts.scheme}://{parts.hostname}" + (f":{port}" if port else "")


def security_headers(script_hashes: list[str], live: str | None) -> dict[str, str]:
    """The headers of every console response: the page runs only the platform's own scripts and styles, talks
    only to its own origin (and the live events endpoint when it is elsewhere), and may not be framed."""
    connect = "'self'" + (f" {live}" if live else "")
    policy = "; ".join(
        [
            "default-src 'self'",
            "script-src 'self' " + " ".join(script_hashes) if script_hashes else "script-src 'self'",
            "style-src 'self'",
            "img-src 'self' data:",
            "font-src 'self'",
            f"connect-src {connect}",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )
    return {
        "Content-Security-Policy": policy,
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "X-Frame-Options": "DENY",
        "Cache-Control": CACHE_CONTROL,
    }
