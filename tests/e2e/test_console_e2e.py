"""The operator console in a real browser (Debian's chromium driven by Playwright): the platform served on the local
stack with API keys, its data made through the API, then a person signs in, reads the incidents and a diagnosis,
approves the suggested action (carried out under the policy on a stand-in cluster), approves from the queue, replays
dead letters, and sees a new alert's incident appear without reloading; the keyboard reaches every main control, and
axe-core finds no serious or critical accessibility violation on any page, light or dark. Screenshots of every page
are written to test-artifacts/console/."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.browser import axe_violations, chromium, screenshot
from tests.support.diagnoses import persist_diagnosis, restart
from tests.support.kube_apiserver import KubeApiServer, kube_apiserver
from tests.support.live_events import api_keys_in_environment, live_events_served

pytestmark = pytest.mark.e2e

NS = "shop"
REQUESTER_KEY = "console-requester-key"
OPERATOR_KEY = "console-operator-key"
# Two people: nobody approves their own request (APPROVAL_REQUIRE_DISTINCT).
API_KEYS = f"requester={REQUESTER_KEY},operator={OPERATOR_KEY}"
PAGES = ["incidents", "approvals", "dead-letters", "slos", "oncall", "activity", "settings"]
# Generous: the CI machine runs the whole suite on 2 cores beside these browsers.
TIMEOUT_MS = 30_000


@pytest.fixture(scope="module")
def kube() -> Iterator[KubeApiServer]:
    with kube_apiserver() as server:
        yield server


@pytest.fixture(scope="module")
def changes(kube: KubeApiServer, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    directory: Path = tmp_path_factory.mktemp("kube")
    return {
        "api_keys": API_KEYS,
        "actions_kubeconfig": kube.kubeconfig(directory),
        "action_verify_seconds": 2.0,
        "action_verify_interval_seconds": 0.05,
    }


@pytest.fixture(scope="module")
def url(serve_with_settings, local_stack: Any, changes: dict[str, Any]) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """The platform with keys, its live events served as `aisre serve` serves them: WS /ws on this server, fed by the
    table's stream through the fan-out function. The keys are in the environment too, so that the socket function
    (which builds its own scope, as a Lambda does) checks them."""
    with (
        api_keys_in_environment(API_KEYS),
        serve_with_settings(**changes) as served,
        live_events_served(local_stack, served),
    ):
        yield served


@pytest.fixture(scope="module")
def scope(local_stack: object, changes: dict[str, Any]):  # type: ignore[no-untyped-def]
    from aisre.core.scope import Scope
    from aisre.core.settings import get_settings

    return Scope(get_settings().model_copy(update=changes))


@pytest.fixture(scope="module")
def browser():  # type: ignore[no-untyped-def]
    with chromium() as launched:
        yield launched


@pytest.fixture
def requester(url: str, workspace: str) -> Iterator[httpx.Client]:
    """The API as the person who asks for actions (the console signs in as another)."""
    headers = {"X-Workspace-Id": workspace, "X-API-Key": REQUESTER_KEY}
    with httpx.Client(base_url=url, headers=headers, timeout=30) as client:
        yield client


@pytest.fixture
def story(requester: httpx.Client, scope, kube: KubeApiServer, workspace: str) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """Two incidents (one diagnosed with a suggested restart whose approval is asked for, one investigated through
    the API), a second approval waiting in the queue, and two dead letters (a malformed payload, and an alert the
    table refused for a while)."""
    state = kube.reset()
    state.add_deployment(NS, "checkout", replicas=2)
    pods = [pod["metadata"]["name"] for pod in state.items("pods", NS)]
    alert = {"title": "checkout OOMKilled", "severity": "critical", "service": "checkout", "namespace": NS}
    oom = requester.post("/webhook", json=dict(alert, pod=pods[0])).json()["incident_id"]
    persist_diagnosis(scope, workspace, oom, [restart(NS, pods[0])])
    asked = requester.post(
        "/approvals", json={"action": "restart_pod", "namespace": NS, "pod_name": pods[0], "incident_id": oom}
    )
    assert asked.status_code == 201, asked.text
    queued = requester.post("/approvals", json={"action": "restart_pod", "namespace": NS, "pod_name": pods[1]})
    assert queued.status_code == 201, queued.text
    latency = {"title": "payments latency high", "severity": "warning", "service": "payments", "namespace": NS}
    payments = requester.post("/webhook", json=latency).json()["incident_id"]
    assert requester.post(f"/incidents/{payments}/investigate").status_code == 202
    assert (
        requester.post("/webhook", content=b"{not json", headers={"content-type": "application/json"}).status_code
        == 400
    )
    passing = _dead_letter_of_a_passing_failure(scope, workspace)
    return {"oom": oom, "payments": payments, "queued": queued.json()["id"], "passing": passing}


def _dead_letter_of_a_passing_failure(scope, workspace: str) -> str:  # type: ignore[no-untyped-def]
    from aisre.alerts.providers import alert_intake
    from aisre.core.errors import StorageError

    body = httpx.Request(
        "POST", "http://x", json={"title": "cart errors", "service": "cart", "severity": "high"}
    ).content
    intake = scope.get(alert_intake)
    entry = intake.dead_letter(
        workspace, "webhook", body, "application/json", StorageError("table unavailable"), status_code=503
    )
    return str(entry.id)


def _sign_in(page, url: str, workspace: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{url}/console")
    page.get_by_label("API key").fill("not-a-key")
    page.get_by_label("Workspace").fill(workspace)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_test_id("signin-error").wait_for(timeout=TIMEOUT_MS)
    assert "refused" in page.get_by_test_id("signin-error").inner_text()
    page.get_by_label("API key").fill(OPERATOR_KEY)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_test_id("incidents-table").wait_for(timeout=TIMEOUT_MS)


def _rows(page) -> list[str]:  # type: ignore[no-untyped-def]
    return page.eval_on_selector_all("[data-testid=incident-row]", "rows => rows.map(r => r.dataset.incidentId)")


def test_an_operator_works_an_incident_from_the_console(
    browser, url: str, workspace: str, story: dict[str, Any], requester: httpx.Client
) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on("console", lambda m: problems.append(m.text) if "Content Security Policy" in m.text else None)
    try:
        _sign_in(page, url, workspace)
        assert page.evaluate("sessionStorage.getItem('aisre.apiKey')") == OPERATOR_KEY
        assert OPERATOR_KEY not in page.url
        assert set(_rows(page)) == {story["oom"], story["payments"]}
        screenshot(page, "incidents")

        # Filters: by service, then a search that matches nothing.
        page.get_by_test_id("filter-service").select_option("payments")
        assert _rows(page) == [story["payments"]]
        page.get_by_test_id("filter-service").select_option("")
        page.get_by_test_id("filter-search").fill("no such thing")
        page.get_by_text("No incident matches these filters.").wait_for()
        page.get_by_test_id("filter-search").fill("")

        # The diagnosis, and its suggested action approved: carried out, as the actions taken show.
        page.locator(f"[data-incident-id='{story['oom']}'] a").first.click()
        page.get_by_test_id("incident-detail").wait_for()
        page.get_by_test_id("root-cause").get_by_text("OOMKilled").wait_for(timeout=TIMEOUT_MS)
        assert page.get_by_test_id("confidence").inner_text() == "90%"
        action = page.get_by_test_id("suggested-action").filter(has_text="restart pod")
        assert "needs approval" in action.get_by_test_id("policy-verdict").inner_text()
        screenshot(page, "incident")
        action.get_by_test_id("approve-suggested").click()
        action.get_by_test_id("outcome").wait_for(timeout=TIMEOUT_MS)
        assert action.get_by_test_id("outcome").inner_text().startswith("Approved"), action.inner_text()
        taken = page.get_by_test_id("action-taken").filter(has_text="restart_pod")
        taken.first.wait_for(timeout=TIMEOUT_MS)
        # Carried out under the policy (on the stand-in cluster): a dry run or a real restart, as the policy says.
        assert re.search(r"restart_pod (success|dry_run|dry run)", taken.first.inner_text()), taken.first.inner_text()
        screenshot(page, "incident-approved")

        # The queue: the other approval, approved there.
        page.get_by_test_id("nav-approvals").click()
        queued = page.locator(f"[data-approval-id='{story['queued']}']")
        queued.wait_for(timeout=TIMEOUT_MS)
        screenshot(page, "approvals")
        queued.get_by_test_id("approve").click()
        queued.get_by_test_id("outcome").wait_for(timeout=TIMEOUT_MS)
        assert queued.get_by_test_id("outcome").inner_text().startswith("Approved")
        decided = requester.get(f"/approvals/{story['queued']}").json()
        assert decided["status"] == "approved" and decided["decided_by"] == "operator"

        # Dead letters: the malformed payload fails again and says why; the other becomes an incident.
        page.get_by_test_id("nav-dead-letters").click()
        page.get_by_test_id("dead-letter").first.wait_for(timeout=TIMEOUT_MS)
        screenshot(page, "dead-letters")
        malformed = page.get_by_test_id("dead-letter").filter(has_text="malformed JSON")
        malformed.get_by_test_id("replay").click()
        malformed.get_by_test_id("outcome").wait_for(timeout=TIMEOUT_MS)
        assert "HTTP 400" in malformed.get_by_test_id("outcome").inner_text()
        passing = page.locator(f"[data-entry-id='{story['passing']}']")
        passing.get_by_test_id("replay").click()
        passing.get_by_test_id("outcome").wait_for(timeout=TIMEOUT_MS)
        assert re.search(r"Replayed: incident inc-", passing.get_by_test_id("outcome").inner_text())

        # A new alert's incident appears in the open list without a reload, told over the live socket (WS /ws, fed by
        # the table's stream): the console says "Live", so it is not polling.
        page.get_by_test_id("nav-incidents").click()
        page.get_by_test_id("incidents-table").wait_for()
        page.get_by_test_id("live-state").filter(has_text="Live").wait_for(timeout=TIMEOUT_MS)
        page.evaluate("window.__sameDocument = true")
        new = requester.post("/webhook", json={"title": "disk full", "severity": "high", "service": "storage"})
        new_id = new.json()["incident_id"]
        page.locator(f"[data-incident-id='{new_id}']").wait_for(timeout=TIMEOUT_MS)
        assert page.evaluate("window.__sameDocument") is True
        assert page.get_by_test_id("live-state").inner_text() == "Live"

        for name in ("slos", "oncall", "activity", "settings"):
            page.get_by_test_id(f"nav-{name}").click()
            page.locator("main h1").wait_for()
            page.wait_for_load_state("networkidle")
            screenshot(page, name)
        assert page.get_by_test_id("not-configured").count() == 0  # settings: every part is built
        page.get_by_test_id("nav-slos").click()
        page.get_by_text("SLOs not configured.").wait_for(timeout=TIMEOUT_MS)

        # Signing out forgets the key; a refused key anywhere sends the person back to sign in.
        page.get_by_test_id("sign-out").click()
        page.get_by_test_id("signin-form").wait_for()
        assert page.evaluate("sessionStorage.getItem('aisre.apiKey')") is None
        assert problems == [], problems
    finally:
        context.close()


def test_the_demo_fills_every_page_and_its_rollback_is_rehearsed_when_approved(
    browser, url: str, workspace: str, requester: httpx.Client, kube: KubeApiServer
) -> None:  # type: ignore[no-untyped-def]
    """POST /demo/seed (issue #14's story), then the console shows every page with data: the diagnosis of the main
    incident, its rollback approved and carried out as a dry run, the replayable dead letter replayed, on-call."""
    kube.reset().add_deployment(NS, "checkout", replicas=2)
    seeded = requester.post("/demo/seed")
    assert seeded.status_code == 201, seeded.text
    demo = seeded.json()
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        _sign_in(page, url, workspace)
        page.locator(f"[data-incident-id='{demo['main_incident_id']}']").wait_for(timeout=TIMEOUT_MS)
        assert len(_rows(page)) >= demo["incident_count"]
        screenshot(page, "demo-incidents")

        page.locator(f"[data-incident-id='{demo['main_incident_id']}'] a").first.click()
        page.get_by_test_id("root-cause").wait_for(timeout=TIMEOUT_MS)
        rollback = page.get_by_test_id("suggested-action").filter(has_text="rollback deployment")
        rollback.get_by_test_id("approve-suggested").wait_for(timeout=TIMEOUT_MS)
        screenshot(page, "demo-incident")
        rollback.get_by_test_id("approve-suggested").click()
        rollback.get_by_test_id("outcome").wait_for(timeout=TIMEOUT_MS)
        said = rollback.get_by_test_id("outcome").inner_text()
        assert said.startswith("Approved: dry_run (dry run)"), said  # what approving did, not only that it was approved
        done = page.get_by_test_id("action-taken").filter(has_text="rollback_deployment")
        done.first.wait_for(timeout=TIMEOUT_MS)
        assert "dry run" in done.first.inner_text(), done.first.inner_text()

        page.get_by_test_id("nav-dead-letters").click()
        replayable = page.locator(f"[data-entry-id='{demo['replayable_dead_letter_id']}']")
        replayable.get_by_test_id("replay").click()
        replayable.get_by_test_id("outcome").wait_for(timeout=TIMEOUT_MS)
        assert "Replayed" in replayable.get_by_test_id("outcome").inner_text()

        page.get_by_test_id("nav-oncall").click()
        page.get_by_test_id("oncall-now").first.wait_for(timeout=TIMEOUT_MS)
        assert page.get_by_test_id("oncall-now").first.inner_text() != "nobody"
        for name in ("approvals", "dead-letters", "oncall", "activity", "settings", "slos"):
            page.get_by_test_id(f"nav-{name}").click()
            page.locator("main h1").wait_for()
            page.wait_for_load_state("networkidle")
            screenshot(page, f"demo-{name}")
        page.get_by_test_id("nav-activity").click()
        page.get_by_test_id("recent-activity").wait_for(timeout=TIMEOUT_MS)
    finally:
        context.close()


def test_a_refused_key_sends_the_person_back_to_sign_in(browser, url: str, workspace: str) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context()
    page = context.new_page()
    try:
        page.goto(f"{url}/console")
        page.evaluate(
            "([w]) => { sessionStorage.setItem('aisre.apiKey', 'revoked');"
            " sessionStorage.setItem('aisre.workspace', w); }",
            [workspace],
        )
        page.reload()
        page.get_by_test_id("signin-error").wait_for(timeout=TIMEOUT_MS)
        assert "sign in again" in page.get_by_test_id("signin-error").inner_text()
    finally:
        context.close()


def test_the_keyboard_reaches_the_main_controls(browser, url: str, workspace: str, story: dict[str, Any]) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context()
    page = context.new_page()
    try:
        _sign_in(page, url, workspace)
        reached: list[str] = []
        for _ in range(40):
            page.keyboard.press("Tab")
            reached.append(
                page.evaluate(
                    "(() => { const e = document.activeElement;"
                    " return e.dataset.testid || e.id || e.getAttribute('href') || e.tagName; })()"
                )
            )
        wanted = {f"nav-{name}" for name in PAGES} | {"workspace-switch", "sign-out", "filter-state", "filter-search"}
        assert wanted <= set(reached), reached
        assert f"#/incidents/{story['oom']}" in reached or f"#/incidents/{story['payments']}" in reached, reached
        # Enter on an incident's link opens it; the skip link moves focus to the content.
        page.locator(f"[data-incident-id='{story['payments']}'] a").first.focus()
        page.keyboard.press("Enter")
        page.get_by_test_id("incident-detail").wait_for(timeout=TIMEOUT_MS)
        focus = page.evaluate("document.activeElement.outerHTML")
        assert focus, "focus is somewhere on the page"
    finally:
        context.close()


def test_a_phone_sees_every_page_without_scrolling_sideways(
    browser, url: str, workspace: str, story: dict[str, Any]
) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = context.new_page()
    try:
        _sign_in(page, url, workspace)
        wide: dict[str, int] = {}
        for name in [*PAGES, "incident"]:
            target = f"#/incidents/{story['oom']}" if name == "incident" else f"#/{name}"
            page.evaluate("(hash) => { location.hash = hash; }", target)
            page.locator("main h1").first.wait_for(timeout=TIMEOUT_MS)
            page.wait_for_load_state("networkidle")
            screenshot(page, f"{name}-phone")
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            if overflow > 0:
                wide[name] = overflow
        assert wide == {}, wide
    finally:
        context.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_no_serious_accessibility_violation_on_any_page(
    browser, url: str, workspace: str, story: dict[str, Any], scheme: str
) -> None:  # type: ignore[no-untyped-def]
    # axe is injected as a script, which the console's CSP rightly refuses: this context alone bypasses it.
    context = browser.new_context(bypass_csp=True, color_scheme=scheme)
    page = context.new_page()
    try:
        _sign_in(page, url, workspace)
        found: dict[str, list[dict[str, Any]]] = {}
        for name in [*PAGES, "incident"]:
            target = f"#/incidents/{story['oom']}" if name == "incident" else f"#/{name}"
            page.evaluate(f"location.hash = '{target}'")
            page.locator("main h1").first.wait_for(timeout=TIMEOUT_MS)
            page.wait_for_load_state("networkidle")
            page.wait_for_timeout(300)
            if name == "incident":
                page.get_by_test_id("root-cause").wait_for(timeout=TIMEOUT_MS)
            screenshot(page, f"{name}-{scheme}")
            violations = axe_violations(page)
            if violations:
                found[name] = violations
        page.evaluate("sessionStorage.clear()")
        page.reload()
        page.get_by_test_id("signin-form").wait_for()
        if violations := axe_violations(page):
            found["sign-in"] = violations
        assert found == {}, found
    finally:
        context.close()
