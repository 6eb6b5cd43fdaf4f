# ruff: noqa: E501  (one question per line reads best)
"""The question cases asked in other words, as a bare chat question (no subject in the request): the engine must
read the question, not the case's phrasing. Scored with each case's own rubric."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from aisre.investigations.adapters.tools.holmes_cases import load_case
from aisre.investigations.model.evidence import Issue
from aisre.investigations.service.eval import ask, unmet_groups

CASES = Path(__file__).resolve().parent / "cases"
# fmt: off
OWN_VARIANTS = {
 "01_logs_since_weekday": ["ingest-worker logs since last tuesday please", "can you pull the logs for ingest-worker from Tuesday onwards?"],
 "02_logs_yesterday": ["show yesterday's logs of report-generator", "logs from report-generator for yesterday"],
 "03_logs_in_month": ["show me newsletter-mailer's logs from September", "what did newsletter-mailer log during september?"],
 "04_logs_between_dates": ["logs for pod geo-ingest-0 from 2025-02-03 to 2025-02-05", "geo-ingest-0 logs between 2025-02-03 and 2025-02-05?"],
 "05_logs_find_quoted_term": ['search the checkout-api logs for "payment declined"', "grep checkout-api logs for 'payment declined'"],
 "06_errors_grouped_by_kind": ["Which errors has notification-service been logging?", "summarize the errors in notification-service logs"],
 "07_last_n_error_lines": ["last 5 ERROR log lines of search-indexer (namespace data)", "give me the 5 most recent ERROR lines in search-indexer logs in the data namespace"],
 "08_is_healthy_yes": ["how is recommendation-api doing?", "check the health of recommendation-api", "is the recommendation-api deployment ok?"],
 "09_is_healthy_no": ["check if image-resizer is healthy", "what's the status of image-resizer?"],
 "10_wrong_namespace": ["fraud-scorer in staging keeps restarting, why?", "why does pod fraud-scorer in the staging namespace restart?"],
 "11_name_not_found_close_match": ["why is billing-notifer crashing?", "investigate billing-notifer"],
 "12_tool_not_installed": ["do we have cert-manager in the cluster?", "is cert-manager deployed?"],
 "13_tool_installed": ["is KEDA installed?", "is keda installed in the cluster?"],
 "14_why_deployment_failing": ["what's wrong with the media-transcoder deployment in video?", "media-transcoder in namespace video is failing, why?"],
 "15_list_pods_not_running": ["list the pods that are not running in the warehouse namespace", "which pods in warehouse are not running?"],
}
HOLMES_VARIANTS = {
 "09_crashpod": ["why is payment-processing-worker crashing?", "payment-processing-worker keeps restarting, what's wrong?", "investigate payment-processing-worker"],
 "13a_pending_node_selector_basic": ["why is user-profile-import pending?", "user-profile-import is stuck, why?"],
 "19_detect_missing_app_details": ["what's wrong with personal-certs-validator?", "show logs of personal-certs-validator"],
 "24a_misconfigured_pvc_basic": ["why is redis not starting?", "redis is pending, why?"],
 "48_logs_since_thursday": ["logs of pod robusta-holmes-7bfb7f85b7-2w9ck since last thursday", "what did robusta-holmes-7bfb7f85b7-2w9ck log since Thursday?"],
 "53_logs_find_term": ['search for "query failed" in my-app-53 logs', "grep 'query failed' in logs of my-app-53"],
 "62_fetch_error_logs_with_errors": ['show the last 10 "ERROR" logs of payment-service in namespace production-62'],
 "65_health_check_followup": ["is payment-processor in production-65 healthy?", "why is payment-processor in namespace production-65 unhealthy?"],
}
# fmt: on


def _variants(table: dict[str, list[str]], suite: str, rubric: str) -> list[tuple[Path, Path, str]]:
    return [(CASES / suite / name, CASES / rubric, q) for name, questions in table.items() for q in questions]


VARIANTS = [
    *_variants(OWN_VARIANTS, "aisre/test_ask", "aisre/rubric_ask.json"),
    *_variants(HOLMES_VARIANTS, "holmesgpt/test_ask_holmes", "holmesgpt/rubric_ask_holmes.json"),
]


@pytest.mark.parametrize(("folder", "rubric", "question"), VARIANTS, ids=[f"{f.name}:{q}" for f, _, q in VARIANTS])
def test_a_question_asked_in_other_words_gets_the_same_answer(folder: Path, rubric: Path, question: str) -> None:
    case = load_case(folder)
    answer, calls = ask(question, Issue(title=question, source="chat"), case.runner)
    groups = json.loads(rubric.read_text(encoding="utf-8"))[folder.name]
    assert not unmet_groups(answer, groups), answer
    assert calls >= 1
