"""A deploy correlated with the incident becomes evidence: the analyzer names the change, and proposes its rollback."""

from __future__ import annotations

from aisre.investigations.model.analysis import analyze
from aisre.investigations.model.deploy_evidence import DEPLOY_TOOL, deploy_evidence
from aisre.investigations.model.evidence import Evidence, Issue

CORRELATED = {
    "incident_id": "inc-1",
    "has_correlation": True,
    "correlated_deploy": {
        "deploy_id": "dep-1",
        "service": "checkout",
        "actor": "ci",
        "image": "registry.example.com/shop/checkout:2.14.0",
        "minutes_before_incident": 7.0,
    },
    "lookback_minutes": 60,
    "message": "Deploy by ci (checkout) was 7 min before this incident",
}


def test_a_correlated_deploy_is_a_change_the_analyzer_concludes_on():
    evidence = deploy_evidence(CORRELATED)
    assert evidence is not None and evidence.tool == DEPLOY_TOOL and evidence.status == "success"
    assert "7 min before" in evidence.text and "checkout:2.14.0" in evidence.text
    analysis = analyze(Evidence(Issue(title="KubePodCrashLooping"), (evidence,)))
    [change] = [finding for finding in analysis.findings if finding.rule == "recent_change"]
    assert any("7 min before" in line for line in change.evidence_lines)


def test_no_deploy_no_evidence():
    assert deploy_evidence(None) is None
    assert deploy_evidence({**CORRELATED, "has_correlation": False, "correlated_deploy": None}) is None
    analysis = analyze(Evidence(Issue(title="KubePodCrashLooping"), ()))
    assert all(finding.rule != "recent_change" for finding in analysis.findings)
