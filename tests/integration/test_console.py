"""GET /console over HTTP: the page with its security headers, its files with their types and cache tags, the
start-up config (dev mode, the live URL), 404s for what is not a file of it, however the path tries to climb out."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest

STATIC = Path(__file__).resolve().parents[2] / "shared" / "aisre" / "console" / "static"


@pytest.fixture
def http(base_url: str):  # type: ignore[no-untyped-def]
    with httpx.Client(base_url=base_url, timeout=30) as client:
        yield client


def test_the_page_is_served_with_a_strict_policy_that_allows_its_import_map(http: httpx.Client) -> None:
    page = http.get("/console")
    assert page.status_code == 200 and page.headers["content-type"] == "text/html; charset=utf-8"
    assert page.text == (STATIC / "index.html").read_text(encoding="utf-8")
    policy = page.headers["content-security-policy"]
    assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy and "connect-src 'self'" in policy
    assert re.search(r"script-src 'self' 'sha256-[A-Za-z0-9+/=]+'", policy) and "unsafe" not in policy
    assert page.headers["x-content-type-options"] == "nosniff"
    assert page.headers["referrer-policy"] == "no-referrer"
    assert page.headers["cache-control"] == "no-cache" and page.headers["etag"]


def test_the_trailing_slash_goes_back_to_the_page_where_its_relative_links_resolve(http: httpx.Client) -> None:
    moved = http.get("/console/")
    assert moved.status_code == 308 and moved.headers["location"] == "../console"


@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        ("app.js", "text/javascript; charset=utf-8"),
        ("pages/incident.js", "text/javascript; charset=utf-8"),
        ("vendor/preact.module.js", "text/javascript; charset=utf-8"),
        ("console.css", "text/css; charset=utf-8"),
        ("favicon.svg", "image/svg+xml"),
    ],
)
def test_each_file_has_its_type_and_a_tag_that_answers_304(http: httpx.Client, path: str, content_type: str) -> None:
    served = http.get(f"/console/{path}")
    assert served.status_code == 200 and served.headers["content-type"] == content_type
    assert served.content == (STATIC / path).read_bytes()
    assert served.headers["x-content-type-options"] == "nosniff"
    again = http.get(f"/console/{path}", headers={"If-None-Match": served.headers["etag"]})
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == served.headers["etag"]


def test_files_are_gzipped_for_browsers_that_accept_it_and_plain_for_others(base_url: str) -> None:
    import gzip

    expected = (STATIC / "vendor" / "preact.module.js").read_bytes()
    with httpx.Client(base_url=base_url, timeout=30) as http:
        with http.stream("GET", "/console/vendor/preact.module.js", headers={"Accept-Encoding": "gzip"}) as packed:
            raw = b"".join(packed.iter_raw())
            assert packed.headers["content-encoding"] == "gzip" and packed.headers["vary"] == "Accept-Encoding"
            assert gzip.decompress(raw) == expected and len(raw) < len(expected) / 2
            tag = packed.headers["etag"]
        plain = http.get("/console/vendor/preact.module.js", headers={"Accept-Encoding": "identity"})
        assert "content-encoding" not in plain.headers and plain.content == expected and plain.headers["etag"] != tag
        assert http.get("/console/vendor/preact.module.js", headers={"If-None-Match": tag}).status_code == 304


def test_the_files_need_no_key_but_the_data_does(serve_with_settings) -> None:  # type: ignore[no-untyped-def]
    with serve_with_settings(api_keys="console-key") as url, httpx.Client(base_url=url, timeout=30) as http:
        assert http.get("/console").status_code == 200
        assert http.get("/console/app.js").status_code == 200
        assert http.get("/console/config.json").json()["dev_mode"] is False
        assert http.get("/incidents").status_code == 401
        assert http.get("/incidents", headers={"X-API-Key": "console-key"}).status_code == 200


def test_config_says_dev_mode_and_where_live_events_are(http: httpx.Client, serve_with_settings) -> None:  # type: ignore[no-untyped-def]
    config = http.get("/console/config.json")
    assert config.status_code == 200 and config.headers["content-type"] == "application/json"
    body = config.json()
    assert body["dev_mode"] is True and body["live_url"] is None and isinstance(body["version"], str)
    live = "wss://abc123.execute-api.us-east-1.amazonaws.com/dev"
    with serve_with_settings(live_events_url=live) as url, httpx.Client(base_url=url, timeout=30) as other:
        assert other.get("/console/config.json").json()["live_url"] == live
        policy = other.get("/console").headers["content-security-policy"]
        assert "connect-src 'self' wss://abc123.execute-api.us-east-1.amazonaws.com;" in policy
    with serve_with_settings(live_events_url="wss://x; script-src *") as url, httpx.Client(base_url=url) as bad:
        assert bad.get("/console/config.json").json()["live_url"] is None
        assert "script-src *" not in bad.get("/console").headers["content-security-policy"]


@pytest.mark.parametrize(
    "path",
    [
        "nope.js",
        "pages/nope.js",
        "../app.py",
        "..%2Fapi%2Fconsole.py",
        "%2E%2E/%2E%2E/core/settings.py",
        "pages/..%2F..%2F__init__.py",
        "..%5C..%5Capp.py",
        "%2Fetc%2Fpasswd",
        ".hidden",
        "vendor/preact-LICENSE",
        "api/console.py",
        "__init__.py",
        "static/index.html",
        "a/b/c/d/e/f.js",
    ],
)
def test_what_is_not_a_file_of_the_console_is_a_404_in_json(http: httpx.Client, path: str) -> None:
    missing = http.get(f"/console/{path}")
    assert missing.status_code == 404, missing.text
    assert missing.headers["content-type"] == "application/json"
    assert missing.json()["error"]["type"] in {"NotFoundError", "HTTPError"}


def test_a_raw_dot_dot_path_sent_as_is_stays_in_the_folder(base_url: str) -> None:
    """httpx normalizes `..` in URLs; a raw request line does not: the server must not either."""
    import socket
    from urllib.parse import urlsplit

    parts = urlsplit(base_url)
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as sock:
        sock.sendall(b"GET /console/../../shared/aisre/app.py HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        reply = b""
        while chunk := sock.recv(65536):
            reply += chunk
    assert reply.split(b"\r\n", 1)[0].split(b" ")[1] in {b"404", b"400"}
    assert b"create_app" not in reply
