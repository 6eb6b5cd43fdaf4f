"""`make bench`: every benchmark, printing its figures (no pass/fail: targets are read, not asserted)."""

from __future__ import annotations

import sys

from tests.bench import (
    approvals,
    big_payload,
    cold_start,
    console,
    diagnosis_latency,
    investigation_latency,
    listing,
    live_latency,
    notifications,
    requests_per_alert,
    similar,
    sizes,
    throughput,
)


def main() -> int:
    only = set(sys.argv[1:])
    if not only or "cold" in only:
        cold_start.report(cold_start.run())
    if not only or "requests" in only:
        requests_per_alert.report(requests_per_alert.run())
    if not only or "throughput" in only:
        throughput.report(throughput.run())
    if not only or "payload" in only:
        big_payload.report(big_payload.run())
    if not only or "diagnosis" in only:
        diagnosis_latency.report(diagnosis_latency.run())
    if not only or "investigation" in only:
        investigation_latency.report(investigation_latency.run())
    if not only or "similar" in only:
        similar.report(similar.run())
    if not only or "listing" in only:
        listing.report(listing.run())
    if not only or "approvals" in only:
        approvals.report(approvals.run())
    if not only or "notifications" in only:
        notifications.report(notifications.run())
    if not only or "console" in only:
        console.report(console.run())
    if not only or "live" in only:
        live_latency.report(live_latency.run())
    if not only or "sizes" in only:
        sizes.report(sizes.run())  # reads `make build`'s output; says so when there is none
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
