"""The console in headless chromium (Debian's, driven by Playwright) against the local stack with 50 incidents: the
first load's bytes transferred (the console's own files, then the data), time to interactive (navigation start to
the incidents table rendered), a reload with a warm cache, and the latency from an alert received to its row
appearing in the open console (live over /ws when the server has it, else the 5 s polling).

`python -m tests.bench console`.
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

ROOT = Path(__file__).resolve().parents[2]
INCIDENTS = 50
LOADS = 5
ALERTS = 5
WORKSPACE = "bench-console"
SERVICES = ("checkout", "payments", "search", "cart", "auth")
ROWS = "[data-testid=incident-row]"


def _load(browser: Any, url: str) -> dict[str, Any]:
    """One cold load in a fresh context (empty cache), then a reload in the same context (warm cache)."""
    context = browser.new_context()
    page = context.new_page()
    sizes: list[tuple[str, int]] = []

    def finished(request: Any) -> None:
        measured = request.sizes()
        sizes.append((urlsplit(request.url).path, measured["responseBodySize"] + measured["responseHeadersSize"]))

    page.on("requestfinished", finished)
    page.add_init_script(f"sessionStorage.setItem('aisre.workspace', '{WORKSPACE}')")
    page.goto(f"{url}/console")
    page.wait_for_selector(ROWS)
    interactive_ms = page.evaluate("performance.now()")
    page.wait_for_load_state("networkidle")
    cold = list(sizes)
    sizes.clear()
    page.reload()
    page.wait_for_selector(ROWS)
    warm_ms = page.evaluate("performance.now()")
    page.wait_for_load_state("networkidle")
    warm = list(sizes)
    context.close()
    static = [size for path, size in cold if path.startswith("/console") and not path.endswith("config.json")]
    return {
        "interactive_ms": interactive_ms,
        "static_bytes": sum(static),
        "static_requests": len(static),
        "data_bytes": sum(size for path, size in cold if not path.startswith("/console") or path.endswith(".json")),
        "warm_ms": warm_ms,
        "warm_bytes": sum(size for path, size in warm if path.startswith("/console")),
    }


def _event_latency(browser: Any, url: str, http: httpx.Client) -> tuple[list[float], str]:
    context = browser.new_context()
    page = context.new_page()
    page.add_init_script(f"sessionStorage.setItem('aisre.workspace', '{WORKSPACE}')")
    page.goto(f"{url}/console")
    page.wait_for_selector(ROWS)
    page.wait_for_timeout(1500)  # the socket's first attempt settles: Live, or Polling
    mode = page.get_by_test_id("live-state").inner_text()
    latencies = []
    for number in range(ALERTS):
        started = time.perf_counter()
        alert = {"title": f"bench alert {number}", "severity": "high", "service": f"latency-{number}"}
        incident_id = http.post("/webhook", json=alert).json()["incident_id"]
        page.wait_for_selector(f"[data-incident-id='{incident_id}']", timeout=30_000)
        latencies.append((time.perf_counter() - started) * 1000)
    context.close()
    return latencies, mode


def run() -> dict[str, Any]:
    from aisre.core.scope import reset_scope
    from aisre.local.server import create_local_app
    from aisre.local.stack import LocalStack
    from tests.support.browser import chromium
    from tests.support.servers import serve_app

    with LocalStack(ROOT, parameters={"AutoInvestigate": "false"}) as stack:
        reset_scope()
        with (
            serve_app(create_local_app()) as url,
            httpx.Client(base_url=url, headers={"X-Workspace-Id": WORKSPACE}, timeout=30) as http,
        ):
            # The live events, as `aisre serve` wires them: WS /ws, and the table's stream read by the fan-out.
            stack.serve_live_events(url)
            stack.start_stream_pollers(["LiveFanOutFunction"])
            for number in range(INCIDENTS):
                service = SERVICES[number % len(SERVICES)]
                http.post(
                    "/webhook", json={"title": f"{service} alert {number}", "severity": "warning", "service": service}
                )
            with chromium() as browser:
                _load(browser, url)  # the server's first answers (imports, caches) outside the figures
                loads = [_load(browser, url) for _ in range(LOADS)]
                latencies, mode = _event_latency(browser, url, http)
    return {"loads": loads, "latencies_ms": latencies, "mode": mode}


def report(result: dict[str, Any]) -> None:
    loads = result["loads"]
    first = loads[0]
    median = statistics.median
    print(f"\n== Console first load (headless chromium, local stack, {INCIDENTS} incidents, {LOADS} cold loads) ==")
    print(
        f"console files: {first['static_requests']} requests, {first['static_bytes'] / 1024:.1f} KiB transferred"
        f" (gzip; headers included); data: {first['data_bytes'] / 1024:.1f} KiB"
    )
    print(
        f"time to interactive (navigation -> incidents table): p50 {median(x['interactive_ms'] for x in loads):.0f} ms"
        f"   max {max(x['interactive_ms'] for x in loads):.0f} ms"
    )
    print(
        f"reload, warm cache: {median(x['warm_ms'] for x in loads):.0f} ms,"
        f" console files {median(x['warm_bytes'] for x in loads) / 1024:.1f} KiB (304s)"
    )
    latencies = result["latencies_ms"]
    print(
        f"alert received -> row in the open console ({result['mode']}): p50 {median(latencies):.0f} ms"
        f"   max {max(latencies):.0f} ms   ({len(latencies)} alerts)"
    )


if __name__ == "__main__":
    report(run())
