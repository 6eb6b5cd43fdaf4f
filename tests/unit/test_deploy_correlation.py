"""Deploy correlation: the latest deploy before the incident within the lookback."""

from datetime import UTC, datetime, timedelta

from aisre.incidents.model.deploy import Deploy, correlate_deploy, correlation_message

T = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)


def deploy(deploy_id: str, minutes_before: float, actor: str = "ci-bot") -> Deploy:
    return Deploy(
        deploy_id=deploy_id,
        workspace_id="w",
        service="api",
        actor=actor,
        timestamp=T - timedelta(minutes=minutes_before),
    )


def test_latest_deploy_inside_the_window_wins():
    found = correlate_deploy([deploy("d-old", 25), deploy("d-new", 12), deploy("d-after", -3)], T, 30)
    assert found is not None and found.deploy_id == "d-new" and found.minutes_before_incident == 12
    assert correlation_message(found, 30) == "Deploy by ci-bot (api) was 12 min before this incident"


def test_nothing_outside_the_window():
    assert correlate_deploy([deploy("d", 31)], T, 30) is None
    assert "No deploy" in correlation_message(None, 30)
