"""The routing table (notifications/model/routing.py): rules in order, first match wins, `continue` goes on, labels
exact or `~regex`, the file's rules after the workspace's, else the severity's default types with the service's
overrides; disabled rules and channels; and the rule checks that name their field."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aisre.notifications.errors import RoutingRuleError
from aisre.notifications.model.channels import Channel, ChannelType
from aisre.notifications.model.events import SEVERITIES, EventType, NotificationEvent
from aisre.notifications.model.routing import (
    DefaultRoutes,
    RoutingRule,
    RuleMatch,
    check_channel_refs,
    parse_match,
    route_event,
)

DEFAULTS = DefaultRoutes(
    default_rules={
        "critical": ("slack", "pagerduty", "email"),
        "high": ("slack", "email"),
        "warning": ("slack",),
        "info": ("log",),
    },
    service_overrides={"payments": {"critical": ("slack", "pagerduty", "email", "teams")}},
)


def channel(channel_id: str, kind: str, *, name: str | None = None, enabled: bool = True) -> Channel:
    return Channel(channel_id, "ws", name or channel_id, ChannelType(kind), {}, enabled=enabled)


SLACK = channel("ch-slack", "slack")
EMAIL = channel("ch-email", "email")
PAGER = channel("ch-pager", "pagerduty")
TEAMS = channel("ch-teams", "teams")
OFF = channel("ch-off", "slack", enabled=False)
CHANNELS = (SLACK, EMAIL, PAGER, TEAMS, OFF)


def event(severity: str = "critical", service: str | None = "checkout", **labels: str) -> NotificationEvent:
    return NotificationEvent(
        event_id="ev-1",
        event_type=EventType.INCIDENT_OPENED,
        workspace_id="ws",
        occurred_at=datetime(2026, 1, 1, tzinfo=UTC),
        severity=severity,
        title="checkout is down",
        service=service,
        labels=labels,
    )


def rule(rule_id: str, channels: tuple[str, ...], match: RuleMatch | None = None, **options: bool) -> RoutingRule:
    return RoutingRule(id=rule_id, name=rule_id, match=match or RuleMatch(), channels=channels, **options)


def ids(channels: tuple[Channel, ...]) -> list[str]:
    return [item.id for item in channels]


def test_the_first_matching_rule_wins() -> None:
    rules = [
        rule("r-db", ("ch-email",), RuleMatch(labels={"team": "db"})),
        rule("r-crit", ("ch-pager",), RuleMatch(severity=("critical",))),
        rule("r-all", ("ch-slack",)),
    ]
    routed = route_event(event(team="web"), rules, CHANNELS, DEFAULTS)
    assert ids(routed.channels) == ["ch-pager"]
    assert routed.matched_rules == ("r-crit",)
    assert not routed.by_default


def test_continue_goes_on_to_the_next_rules_and_each_channel_is_sent_once() -> None:
    rules = [
        rule("r-1", ("ch-pager", "ch-slack"), RuleMatch(severity=("critical",)), continue_matching=True),
        rule("r-2", ("ch-slack", "ch-email"), RuleMatch(service="checkout")),
        rule("r-3", ("ch-teams",)),
    ]
    routed = route_event(event(), rules, CHANNELS, DEFAULTS)
    assert ids(routed.channels) == ["ch-pager", "ch-slack", "ch-email"]
    assert routed.matched_rules == ("r-1", "r-2")


def test_labels_match_exactly_or_by_an_anchored_regex() -> None:
    exact = rule("r-exact", ("ch-email",), RuleMatch(labels={"team": "db"}))
    regex = rule("r-regex", ("ch-teams",), RuleMatch(labels={"namespace": "~prod-.*"}))
    assert ids(route_event(event(team="db"), [exact, regex], CHANNELS, DEFAULTS).channels) == ["ch-email"]
    assert ids(route_event(event(team="dba"), [exact], CHANNELS, DEFAULTS).channels) != ["ch-email"]
    assert ids(route_event(event(namespace="prod-eu"), [regex], CHANNELS, DEFAULTS).channels) == ["ch-teams"]
    # Anchored: a value that merely contains a match does not match.
    assert route_event(event(namespace="preprod-eu"), [regex], CHANNELS, DEFAULTS).by_default
    # A label the event lacks never matches, not even `~.*`.
    anything = rule("r-any", ("ch-teams",), RuleMatch(labels={"zone": "~.*"}))
    assert route_event(event(), [anything], CHANNELS, DEFAULTS).by_default


def test_a_literal_tilde_is_written_escaped() -> None:
    literal = rule("r-tilde", ("ch-email",), RuleMatch(labels={"path": r"~\~home"}))
    assert ids(route_event(event(path="~home"), [literal], CHANNELS, DEFAULTS).channels) == ["ch-email"]


def test_service_matches_exactly_or_by_regex_and_an_event_without_one_never_matches() -> None:
    by_name = rule("r-svc", ("ch-email",), RuleMatch(service="checkout"))
    by_regex = rule("r-re", ("ch-teams",), RuleMatch(service="~check.*"))
    assert ids(route_event(event(), [by_name], CHANNELS, DEFAULTS).channels) == ["ch-email"]
    assert ids(route_event(event(service="checkout-api"), [by_regex], CHANNELS, DEFAULTS).channels) == ["ch-teams"]
    assert route_event(event(service=None), [by_name, by_regex], CHANNELS, DEFAULTS).by_default


def test_no_rule_matching_applies_the_severity_defaults_to_every_enabled_channel_of_those_types() -> None:
    second_slack = channel("ch-slack-2", "slack", name="another slack")
    routed = route_event(event("high"), [], (*CHANNELS, second_slack), DEFAULTS)
    assert routed.by_default and routed.default_types == ("slack", "email")
    # Type order, then by name within a type; the disabled slack channel is left out.
    assert ids(routed.channels) == ["ch-slack-2", "ch-slack", "ch-email"]


def test_info_is_logged_only() -> None:
    routed = route_event(event("info"), [], CHANNELS, DEFAULTS)
    assert routed.channels == () and routed.default_types == ("log",)


def test_a_service_override_replaces_only_the_severities_it_names() -> None:
    critical = route_event(event("critical", "payments"), [], CHANNELS, DEFAULTS)
    assert ids(critical.channels) == ["ch-slack", "ch-pager", "ch-email", "ch-teams"]
    warning = route_event(event("warning", "payments"), [], CHANNELS, DEFAULTS)
    assert ids(warning.channels) == ["ch-slack"]


def test_an_unknown_severity_has_no_default_channels() -> None:
    assert route_event(event("urgent"), [], CHANNELS, DEFAULTS).channels == ()


def test_severity_matches_whatever_its_case() -> None:
    crit = rule("r-crit", ("ch-pager",), RuleMatch(severity=("critical",)))
    assert ids(route_event(event("CRITICAL"), [crit], CHANNELS, DEFAULTS).channels) == ["ch-pager"]


def test_a_disabled_rule_is_skipped() -> None:
    off = rule("r-off", ("ch-email",), enabled=False)
    on = rule("r-on", ("ch-teams",))
    assert ids(route_event(event(), [off, on], CHANNELS, DEFAULTS).channels) == ["ch-teams"]
    assert route_event(event(), [off], CHANNELS, DEFAULTS).by_default


def test_a_matched_rule_whose_channels_are_disabled_or_gone_sends_nowhere_and_does_not_fall_back() -> None:
    muted = rule("r-muted", ("ch-off", "ch-deleted"))
    routed = route_event(event(), [muted], CHANNELS, DEFAULTS)
    assert routed.channels == () and routed.matched_rules == ("r-muted",)


def test_the_files_rules_come_after_the_workspaces_and_name_channels_by_name() -> None:
    file_rule = rule("file:db", ("CH-EMAIL",), RuleMatch(labels={"team": "db"}))
    file_rule = RoutingRule(id=file_rule.id, name="db", match=file_rule.match, channels=file_rule.channels)
    defaults = DefaultRoutes(DEFAULTS.default_rules, DEFAULTS.service_overrides, rules=(file_rule,))
    routed = route_event(event(team="db"), [], CHANNELS, defaults)
    assert ids(routed.channels) == ["ch-email"] and routed.matched_rules == ("file:db",)
    first = rule("r-ws", ("ch-teams",), RuleMatch(labels={"team": "db"}))
    assert ids(route_event(event(team="db"), [first], CHANNELS, defaults).channels) == ["ch-teams"]
    going_on = rule("r-ws", ("ch-teams",), RuleMatch(labels={"team": "db"}), continue_matching=True)
    assert ids(route_event(event(team="db"), [going_on], CHANNELS, defaults).channels) == ["ch-teams", "ch-email"]


# -- properties ---------------------------------------------------------------------------------------------------

_names = st.sampled_from(["team", "env", "region"])
_values = st.sampled_from(["db", "web", "prod", "eu"])
_events = st.builds(
    event,
    severity=st.sampled_from(SEVERITIES),
    service=st.sampled_from([None, "checkout", "payments"]),
).flatmap(lambda base: st.dictionaries(_names, _values).map(lambda labels: _with_labels(base, labels)))
_matches = st.builds(
    RuleMatch,
    severity=st.lists(st.sampled_from(SEVERITIES), unique=True, max_size=2).map(tuple),
    service=st.sampled_from([None, "checkout", "~pay.*"]),
    labels=st.dictionaries(_names, st.one_of(_values, st.just("~(db|web)")), max_size=2),
)
_channel_ids = st.lists(st.sampled_from([item.id for item in CHANNELS] + ["ch-gone"]), unique=True, max_size=3)
_rules = st.lists(
    st.builds(
        RoutingRule,
        id=st.uuids().map(str),
        name=st.just("r"),
        match=_matches,
        channels=_channel_ids.map(tuple),
        continue_matching=st.booleans(),
        enabled=st.booleans(),
    ),
    max_size=6,
)


def _with_labels(base: NotificationEvent, labels: dict[str, str]) -> NotificationEvent:
    return replace(base, labels=labels)


@given(_events, _rules)
def test_routed_channels_are_enabled_workspace_channels_each_once(sent: NotificationEvent, rules: list) -> None:
    routed = route_event(sent, rules, CHANNELS, DEFAULTS)
    assert all(item.enabled for item in routed.channels)
    assert len(set(ids(routed.channels))) == len(routed.channels)
    assert set(ids(routed.channels)) <= {item.id for item in CHANNELS}


@given(_events, _rules, _rules)
def test_rules_after_a_final_match_change_nothing(sent: NotificationEvent, before: list, after: list) -> None:
    final = rule("r-final", ("ch-teams",))
    assert route_event(sent, [*before, final], CHANNELS, DEFAULTS) == route_event(
        sent, [*before, final, *after], CHANNELS, DEFAULTS
    )


@given(_events, _rules, st.integers(min_value=0, max_value=6))
def test_a_rule_that_does_not_match_changes_nothing_wherever_it_stands(
    sent: NotificationEvent, rules: list, where: int
) -> None:
    never = rule("r-never", ("ch-pager",), RuleMatch(labels={"never": "present"}))
    assert route_event(sent, rules, CHANNELS, DEFAULTS) == route_event(
        sent, [*rules[:where], never, *rules[where:]], CHANNELS, DEFAULTS
    )


@given(_events)
def test_without_rules_the_defaults_decide(sent: NotificationEvent) -> None:
    routed = route_event(sent, [], CHANNELS, DEFAULTS)
    types = DEFAULTS.types_for(sent.severity, sent.service)
    assert routed.default_types == types
    assert {item.type.value for item in routed.channels} == set(types) - {"log"}


@given(_matches)
def test_a_match_reads_back_as_itself(match: RuleMatch) -> None:
    assert parse_match(match.to_dict()) == match


# -- checks that name their field -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        ("critical", "match"),
        ({"severity": ["urgent"]}, "match.severity[0]"),
        ({"severity": ["critical", 3]}, "match.severity[1]"),
        ({"service": 5}, "match.service"),
        ({"labels": {"team": "~(unclosed"}}, "match.labels.team"),
        ({"labels": {"team": True}}, "match.labels.team"),
        ({"labels": {"team": "x" * 300}}, "match.labels.team"),
        ({"labels": ["team"]}, "match.labels"),
        ({"service": "~[z-a]"}, "match.service"),
        ({"sevrity": ["critical"]}, "match"),
    ],
)
def test_a_bad_match_names_its_field(raw: object, field: str) -> None:
    with pytest.raises(RoutingRuleError) as raised:
        parse_match(raw)
    assert raised.value.field == field


@pytest.mark.parametrize(
    ("raw", "field"),
    [("ch-1", "channels"), (["ch-1", ""], "channels[1]"), (["ch-1", "ch-1"], "channels[1]"), ([7], "channels[0]")],
)
def test_bad_channel_references_name_their_place(raw: object, field: str) -> None:
    with pytest.raises(RoutingRuleError) as raised:
        check_channel_refs(raw)
    assert raised.value.field == field


def test_an_empty_channel_list_is_a_mute() -> None:
    assert check_channel_refs([]) == ()
    muted = rule("r-mute", (), RuleMatch(severity=("info",)))
    assert route_event(event("info"), [muted], CHANNELS, DEFAULTS).channels == ()
