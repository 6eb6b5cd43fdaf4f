"""The console's asset rules: which request paths name a file, content types, cache tags, the CSP's sources."""

from __future__ import annotations

import base64
import hashlib

import pytest

from aisre.console.model.assets import (
    asset_path,
    content_type,
    etag_matches,
    inline_script_hashes,
    live_source,
    make_asset,
    security_headers,
)


@pytest.mark.parametrize("path", ["app.js", "pages/incidents.js", "vendor/preact.module.js", "console.css"])
def test_a_plain_path_of_a_shipped_type_names_an_asset(path: str) -> None:
    assert asset_path(path) == path


@pytest.mark.parametrize(
    "path",
    [
        "",
        "..",
        "../app.py",
        "pages/../../core/settings.py",
        "/etc/passwd",
        ".hidden.js",
        "pages/.env",
        "a\\b.js",
        "pages//x.js",
        "app.py",
        "LICENSE",
        "a/b/c/d/e.js",
        "%2e%2e/app.js",
        "app.js\x00.css",
    ],
)
def test_traversals_hidden_files_and_unknown_types_name_no_asset(path: str) -> None:
    assert asset_path(path) is None


def test_content_types_are_those_a_browser_runs_modules_and_styles_with() -> None:
    assert content_type("x/app.js") == "text/javascript; charset=utf-8"
    assert content_type("console.css") == "text/css; charset=utf-8"
    assert content_type("index.html") == "text/html; charset=utf-8"
    assert content_type("favicon.svg") == "image/svg+xml"
    assert content_type("noext") is None


def test_the_etag_follows_the_content_and_if_none_match_lists_are_understood() -> None:
    one, same, other = make_asset("a.js", b"1"), make_asset("b.js", b"1"), make_asset("a.js", b"2")
    assert one.etag == same.etag != other.etag
    assert etag_matches(one.etag, one.etag)
    assert etag_matches(f'"nope", W/{one.etag}', one.etag)
    assert etag_matches("*", one.etag)
    assert not etag_matches(None, one.etag) and not etag_matches(other.etag, one.etag)


def test_the_import_map_is_allowed_by_the_hash_of_its_exact_text() -> None:
    script = '{"imports":{"preact":"./console/vendor/preact.module.js"}}'
    digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
    page = f'<head><script type="importmap">{script}</script><script type="module" src="app.js"></script></head>'
    assert inline_script_hashes(page) == [f"'sha256-{digest}'"]


@pytest.mark.parametrize(
    ("url", "source"),
    [
        ("wss://abc.execute-api.eu-west-1.amazonaws.com/dev", "wss://abc.execute-api.eu-west-1.amazonaws.com"),
        ("ws://127.0.0.1:8899/ws", "ws://127.0.0.1:8899"),
        ("", None),
        (None, None),
        ("javascript:alert(1)", None),
        ("wss://x.example; script-src *", None),
        ("wss://exa mple.com", None),
        ("ftp://example.com", None),
    ],
)
def test_only_an_origin_parsed_from_the_live_url_reaches_the_policy(url: str | None, source: str | None) -> None:
    assert live_source(url) == source


def test_the_policy_allows_only_self_the_import_map_and_the_live_endpoint() -> None:
    headers = security_headers(["'sha256-abc'"], "wss://live.example")
    policy = headers["Content-Security-Policy"]
    assert "script-src 'self' 'sha256-abc'" in policy
    assert "connect-src 'self' wss://live.example" in policy
    assert "frame-ancestors 'none'" in policy and "default-src 'self'" in policy
    assert "unsafe" not in policy
    assert headers["X-Content-Type-Options"] == "nosniff" and headers["Referrer-Policy"] == "no-referrer"
    assert "connect-src 'self';" in security_headers([], None)["Content-Security-Policy"]


@pytest.mark.parametrize(
    ("header", "accepted"),
    [("gzip, deflate, br", True), ("br;q=1, gzip;q=0.5", True), ("*", True), ("gzip;q=0", False), ("", False)],
)
def test_gzip_is_sent_only_to_who_accepts_it(header: str, accepted: bool) -> None:
    from aisre.console.model.assets import accepts_gzip

    assert accepts_gzip(header) is accepted


def test_an_asset_keeps_its_gzip_only_when_smaller_with_its_own_tag() -> None:
    import gzip

    big = make_asset("app.js", b"render(html`<p>x</p>`);\n" * 200)
    assert big.gzipped is not None and gzip.decompress(big.gzipped) == big.body
    assert big.gzip_etag != big.etag and big.gzip_etag.endswith('-gz"')
    assert make_asset("tiny.js", b"x").gzipped is None
