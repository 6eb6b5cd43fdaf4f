"""The routes file (notifications/adapters/routes_file.py, model/routes_document.py): the built-in defaults are
seed 001's; a file is read over them; a bad file is refused naming the key at fault."""

from __future__ import annotations

from pathlib import Path

import pytest

from aisre.notifications.adapters.routes_file import BUILTIN_ROUTES, load_routes
from aisre.notifications.errors import RoutesFileError


def test_the_builtin_defaults_are_seed_001s() -> None:
    routes = load_routes()
    assert dict(routes.default_rules) == {
        "critical": ("slack", "pagerduty", "email"),
        "high": ("slack", "email"),
        "warning": ("slack",),
        "info": ("log",),
    }
    assert dict(routes.service_overrides) == {} and routes.rules == ()
    assert BUILTIN_ROUTES.is_file()


def test_a_file_is_read_over_the_builtin_ones(tmp_path: Path) -> None:
    path = tmp_path / "routes.yaml"
    path.write_text(
        """
default_rules:
  warning: [slack, email]
service_overrides:
  payments:
    critical: [slack, pagerduty, email, teams]
rules:
  - name: db-team
    match: {labels: {team: db}, severity: [critical, high]}
    channels: [db-oncall]
    continue: true
  - name: quiet
    match: {service: "~batch-.*"}
    channels: []
    enabled: false
"""
    )
    routes = load_routes(str(path))
    # The severities the file names are replaced; the others stay built-in.
    assert routes.default_rules["warning"] == ("slack", "email")
    assert routes.default_rules["critical"] == ("slack", "pagerduty", "email")
    assert routes.types_for("critical", "payments") == ("slack", "pagerduty", "email", "teams")
    assert routes.types_for("high", "payments") == ("slack", "email")
    db, quiet = routes.rules
    assert (db.id, db.name, db.channels, db.continue_matching, db.enabled) == (
        "file:db-team",
        "db-team",
        ("db-oncall",),
        True,
        True,
    )
    assert db.match.severity == ("critical", "high") and dict(db.match.labels) == {"team": "db"}
    assert quiet.match.service == "~batch-.*" and not quiet.enabled and quiet.channels == ()


def test_an_empty_file_keeps_the_builtin_routes(tmp_path: Path) -> None:
    path = tmp_path / "empty.yaml"
    path.write_text("")
    assert load_routes(str(path)) == load_routes()


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("default_rule: {}", "default_rule"),
        ("- critical", "(root)"),
        ("default_rules: {urgent: [slack]}", "default_rules.urgent"),
        ("default_rules: {critical: [slack, pager]}", "default_rules.critical[1]"),
        ("default_rules: {critical: slack-only}", "default_rules.critical[0]"),
        ("default_rules: [critical]", "default_rules"),
        ("service_overrides: {payments: {critical: [fax]}}", "service_overrides.payments.critical[0]"),
        ("service_overrides: {payments: {sev1: [slack]}}", "service_overrides.payments.sev1"),
        ("rules: {name: x}", "rules"),
        ("rules: [{match: {}}]", "rules[0].name"),
        ("rules: [{name: a, match: {labels: {team: '~('}}}]", "rules[0].match.labels.team"),
        ("rules: [{name: a, match: {severity: [sev1]}}]", "rules[0].match.severity[0]"),
        ("rules: [{name: a, channels: [x, x]}]", "rules[0].channels[1]"),
        ("rules: [{name: a, continue: 'yes'}]", "rules[0].continue"),
        ("rules: [{name: a, receiver: x}]", "rules[0].receiver"),
        ("rules: [{name: a}, {name: a}]", "rules[1].name"),
        ("default_rules: {critical: [slack]\n", "NOTIFICATION_ROUTES_FILE"),
    ],
)
def test_a_bad_file_is_refused_naming_the_key(tmp_path: Path, text: str, field: str) -> None:
    path = tmp_path / "routes.yaml"
    path.write_text(text)
    with pytest.raises(RoutesFileError) as raised:
        load_routes(str(path))
    assert raised.value.field == field
    assert str(path) in raised.value.message


def test_a_missing_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(RoutesFileError) as raised:
        load_routes(str(tmp_path / "nowhere.yaml"))
    assert raised.value.field == "NOTIFICATION_ROUTES_FILE"
