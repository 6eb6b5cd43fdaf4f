"""The pure ingest decision: fold, open (root or child), resolve, or record an unmatched resolution."""

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from aisre.incidents.model.alert import Alert, AlertStatus
from aisre.incidents.model.correlation import (
    CORRELATION_REASON,
    FoldIntoIncident,
    NothingToResolve,
    OpenFingerprint,
    OpenIncident,
    ResolveIncident,
    ServiceAnchor,
    decide,
    dedup_strategy,
)

NOW = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
WINDOW = timedelta(minutes=10)


def alert(status: AlertStatus = AlertStatus.FIRING, service: str | None = "payments", kind: str = "identity") -> Alert:
    return Alert(
        provider="webhook",
        source="prometheus",
        title="High CPU",
        status=status,
        service=service,
        fingerprint="fp-1",
        fingerprint_kind=kind,  # type: ignore[arg-type]
    )


def claim(incident_id: str = "inc-1") -> OpenFingerprint:
    return OpenFingerprint(incident_id=incident_id, alert_count=3, opened_at=NOW - timedelta(minutes=1))


def test_firing_alert_with_open_claim_folds_into_that_incident():
    assert decide(alert(), claim("inc-9"), None, NOW, WINDOW) == FoldIntoIncident("inc-9")


def test_first_alert_of_a_service_claims_the_anchor():
    assert decide(alert(), None, None, NOW, WINDOW) == OpenIncident(None, None, anchor_write="claim")


def test_alert_of_a_service_with_a_fresh_anchor_becomes_its_child():
    anchor = ServiceAnchor("inc-root", NOW - timedelta(minutes=9, seconds=59))
    assert decide(alert(), None, anchor, NOW, WINDOW) == OpenIncident("inc-root", CORRELATION_REASON, anchor_write=None)


def test_a_stale_anchor_is_replaced_by_a_new_root():
    stale = ServiceAnchor("inc-old", NOW - timedelta(minutes=10, seconds=1))
    assert decide(alert(), None, stale, NOW, WINDOW) == OpenIncident(None, None, "replace", stale_anchor=stale)


def test_alert_without_service_is_never_grouped():
    anchor = ServiceAnchor("inc-root", NOW)
    assert decide(alert(service=None), None, anchor, NOW, WINDOW) == OpenIncident(None, None, None)


def test_zero_window_disables_grouping():
    anchor = ServiceAnchor("inc-root", NOW)
    decision = decide(alert(), None, anchor, NOW, timedelta(0))
    assert isinstance(decision, OpenIncident) and decision.group_id is None


def test_resolved_alert_resolves_its_open_incident_and_releases_its_own_anchor():
    anchor = ServiceAnchor("inc-1", NOW)
    assert decide(alert(AlertStatus.RESOLVED), claim("inc-1"), anchor, NOW, WINDOW) == ResolveIncident("inc-1", True)
    other = ServiceAnchor("inc-2", NOW)
    assert decide(alert(AlertStatus.RESOLVED), claim("inc-1"), other, NOW, WINDOW) == ResolveIncident("inc-1", False)


def test_resolved_alert_without_open_incident_changes_nothing():
    assert decide(alert(AlertStatus.RESOLVED), None, None, NOW, WINDOW) == NothingToResolve()


def test_dedup_strategy_names_the_fingerprint_kind():
    assert dedup_strategy(alert(kind="provider")) == "provider_fingerprint"
    assert dedup_strategy(alert(kind="identity")) == "identity_fingerprint"


@given(
    status=st.sampled_from(list(AlertStatus)),
    has_claim=st.booleans(),
    anchor_age_seconds=st.one_of(st.none(), st.integers(min_value=0, max_value=3600)),
    service=st.one_of(st.none(), st.text(min_size=1, max_size=8)),
)
def test_decision_invariants(status, has_claim, anchor_age_seconds, service):
    open_claim = claim() if has_claim else None
    anchor = None if anchor_age_seconds is None else ServiceAnchor("inc-a", NOW - timedelta(seconds=anchor_age_seconds))
    decision = decide(alert(status, service), open_claim, anchor, NOW, WINDOW)
    # An open claim always wins: a fingerprint never gets a second incident while one is open.
    if has_claim:
        assert isinstance(decision, FoldIntoIncident | ResolveIncident)
    # A resolved alert never opens anything.
    if status is AlertStatus.RESOLVED:
        assert not isinstance(decision, OpenIncident)
    # A child is only ever attached to an anchor inside the window.
    if isinstance(decision, OpenIncident) and decision.group_id is not None:
        assert anchor is not None and NOW - anchor.opened_at <= WINDOW
