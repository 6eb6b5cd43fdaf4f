"""The question parser: intent, target, namespace and log filters from how people ask in chat."""

from __future__ import annotations

import pytest

from aisre.investigations.model.questions.parse import Intent, parse_question

CASES = [
    # question, intent, (name, kind, namespace), (term, level, limit)
    ("What is the issue with payment-processing-worker?", Intent.DIAGNOSE, ("payment-processing-worker", None, None),
     (None, None, None)),
    ("Why is deployment web in namespace staging failing?", Intent.DIAGNOSE, ("web", "deployment", "staging"),
     (None, None, None)),
    ("What is the issue with redis?", Intent.DIAGNOSE, ("redis", None, None), (None, None, None)),
    ("Show me the logs for the pod `api-7bfb7f85b7-2w9ck` since last Thursday", Intent.LOGS,
     ("api-7bfb7f85b7-2w9ck", "pod", None), (None, None, None)),
    ("Find 'Peer down' in the logs of bgp-speaker", Intent.SEARCH, ("bgp-speaker", None, None),
     ("Peer down", None, None)),
    ("find Peer down in the logs of bgp-speaker", Intent.SEARCH, ("bgp-speaker", None, None),
     ("Peer down", None, None)),
    ('post last 10 logs that contain "ERROR" from payment-service in production-62 namespace', Intent.LOGS,
     ("payment-service", None, "production-62"), ("ERROR", None, 10)),
    ("what errors did checkout-api log yesterday?", Intent.ERRORS, ("checkout-api", None, None),
     (None, "ERROR", None)),
    ("any warnings from the ingress-nginx controller in the last 2 hours?", Intent.ERRORS,
     ("ingress-nginx", None, None), (None, "WARN", None)),
    ("is payment-api healthy?", Intent.HEALTH, ("payment-api", None, None), (None, None, None)),
    ("is the redis statefulset ok?", Intent.HEALTH, ("redis", "statefulset", None), (None, None, None)),
    ("figure out why workload payment-processor in production-65 namespace is unhealthy?", Intent.DIAGNOSE,
     ("payment-processor", None, "production-65"), (None, None, None)),
    ("Is cert-manager installed?", Intent.EXISTS, ("cert-manager", None, None), (None, None, None)),
    ("show the last 50 lines of logs of pod api-7d9f-abcde -n prod", Intent.LOGS, ("api-7d9f-abcde", "pod", "prod"),
     (None, None, 50)),
    ("How do I fix this issue?", Intent.DIAGNOSE, (None, None, None), (None, None, None)),
    ("Why was my pod OOMKilled?", Intent.DIAGNOSE, (None, "pod", None), (None, None, None)),
]  # fmt: skip


@pytest.mark.parametrize(("text", "intent", "target", "log_filter"), CASES)
def test_questions_are_read_into_their_parts(
    text: str, intent: Intent, target: tuple[str | None, ...], log_filter: tuple[object, ...]
) -> None:
    question = parse_question(text)
    assert question.intent is intent
    assert (question.target.name, question.target.kind, question.target.namespace) == target
    assert (question.log_filter.term, question.log_filter.level, question.log_filter.limit) == log_filter


def test_a_listing_keeps_its_kind_namespace_and_state() -> None:
    question = parse_question("Which pods are not running in namespace shop?")
    assert question.intent is Intent.LIST
    assert (question.target.kind, question.target.namespace, question.state) == ("pod", "shop", "not running")
    assert question.target.name is None


def test_a_time_span_is_not_read_as_a_number_of_lines() -> None:
    assert parse_question("errors of api-server in the last 2 hours").log_filter.limit is None
    assert parse_question("the last 20 lines of the api pod logs").log_filter.limit == 20


def test_a_name_containing_a_kind_word_is_a_name_not_a_kind() -> None:
    question = parse_question("why is payment-service failing?")
    assert (question.target.name, question.target.kind) == ("payment-service", None)


def test_curly_quotes_mark_a_term_as_straight_quotes_do() -> None:
    assert parse_question("search for \u201cconnection reset\u201d in the logs of api").log_filter.term == (
        "connection reset"
    )


def test_more_ways_people_ask() -> None:
    recent = parse_question("give me the 5 most recent ERROR lines in search-indexer logs in the data namespace")
    assert (recent.log_filter.level, recent.log_filter.limit, recent.target.namespace) == ("ERROR", 5, "data")
    listing = parse_question("which pods in warehouse are not running?")
    assert (listing.intent, listing.target.namespace, listing.state) == (Intent.LIST, "warehouse", "not running")
    assert parse_question("Are there any pods in CrashLoopBackOff?").target.namespace is None
