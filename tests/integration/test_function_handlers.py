"""The deployed entry points: each template function's handler, imported by file path from its own folder as
Lambda imports it, invoked with its sample event from events/ and a Lambda context. An HTTP function answers an
API Gateway (HTTP API, payload 2.0) event exactly as the local server answers the same request over HTTP; the
ingest handler reports partial batch failures; the steps handler runs a real step."""

from __future__ import annotations

import base64
import contextlib
import copy
import gzip
import json
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode

import httpx
import pytest

from aisre.local.functions import context_factory, load_handler, load_module
from tests.support.servers import wait_for

PROJECT_ROOT = Path(__file__).resolve().parents[2]
EVENTS = PROJECT_ROOT / "events"


def sample(name: str) -> dict[str, Any]:
    event: dict[str, Any] = json.loads((EVENTS / f"{name}.json").read_text(encoding="utf-8"))
    return event


@dataclass
class Function:
    """One template function: its handler as Lambda loads it, and a fresh context per invocation."""

    directory: Path
    handler: Callable[[Any, Any], Any]
    new_context: Callable[[], Any]

    def __call__(self, event: dict[str, Any]) -> Any:
        # Lambda runs a handler with its own folder as the working directory; nothing may rely on ours.
        with contextlib.chdir(self.directory):
            return self.handler(copy.deepcopy(event), self.new_context())


@pytest.fixture(scope="module")
def functions(local_stack: Any) -> dict[str, Function]:
    """Every function of the template by its folder name (functions/<name>), against the local stack's environment."""
    found: dict[str, Function] = {}
    for spec in local_stack.resources.functions.values():
        directory = (PROJECT_ROOT / spec.code_uri).resolve()
        handler = load_handler(PROJECT_ROOT, spec.code_uri, spec.handler)
        new_context = context_factory(spec.function_name, spec.arn, spec.memory_size, spec.timeout)
        found[directory.name] = Function(directory, handler, new_context)
    return found


@pytest.fixture
def http(base_url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=base_url, timeout=30) as client:
        yield client


# --- API Gateway HTTP API events ---------------------------------------------------------------------


def derive(
    event: dict[str, Any],
    method: str | None = None,
    path: str | None = None,
    query: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
    body: Any = None,
    base64_body: bool = False,
    route_key: str | None = None,
    path_parameters: dict[str, str] | None = None,
) -> dict[str, Any]:
    """Another request in the shape of `event` (same stage, host and context), as API Gateway would send it."""
    derived = copy.deepcopy(event)
    stage = derived["requestContext"]["stage"]
    http_context = derived["requestContext"]["http"]
    if method is not None:
        http_context["method"] = method
    if path is not None:
        derived["rawPath"] = http_context["path"] = f"/{stage}{path}"
    if query is not None:
        derived["rawQueryString"] = urlencode(query)
        derived.pop("queryStringParameters", None)
        if query:
            derived["queryStringParameters"] = dict(query)
    if route_key is not None:
        derived["routeKey"] = derived["requestContext"]["routeKey"] = route_key
    if path_parameters is not None:
        derived["pathParameters"] = dict(path_parameters)
    derived["headers"] = {**derived["headers"], **{k.lower(): v for k, v in (headers or {}).items()}}
    if body is not None:
        raw = body if isinstance(body, bytes) else json.dumps(body).encode()
        derived["body"] = base64.b64encode(raw).decode() if base64_body else raw.decode()
        derived["isBase64Encoded"] = base64_body
        derived["headers"]["content-length"] = str(len(raw))
        derived["headers"].setdefault("content-type", "application/json")
    elif method is not None and method.upper() == "GET":
        derived.pop("body", None)
        derived["isBase64Encoded"] = False
        derived["headers"]["content-length"] = "0"
    derived["requestContext"]["requestId"] = uuid.uuid4().hex[:16]
    return derived


def request_of(event: dict[str, Any]) -> dict[str, Any]:
    """The same request as plain HTTP to the local server: the stage prefix off, the body decoded."""
    stage = event["requestContext"]["stage"]
    assert event["rawPath"].startswith(f"/{stage}/"), "rawPath carries the stage, as API Gateway sends it"
    assert event["requestContext"]["http"]["path"] == event["rawPath"]
    body = event.get("body") or ""
    content = base64.b64decode(body) if event.get("isBase64Encoded") else body.encode()
    skip = {"host", "content-length", "x-forwarded-for", "x-forwarded-port", "x-forwarded-proto"}
    return {
        "method": event["requestContext"]["http"]["method"],
        "url": event["rawPath"][len(stage) + 1 :],
        "params": parse_qsl(event.get("rawQueryString") or "", keep_blank_values=True),
        "headers": {k: v for k, v in event["headers"].items() if k.lower() not in skip},
        "content": content,
    }


@dataclass(frozen=True)
class Answer:
    status: int
    content_type: str
    body: Any


def invoke_http(function: Function, event: dict[str, Any]) -> Answer:
    response = function(event)
    assert set(response) >= {"statusCode", "headers", "body", "isBase64Encoded"}, response
    raw = base64.b64decode(response["body"]) if response["isBase64Encoded"] else response["body"].encode()
    content_type = response["headers"].get("content-type", "")
    return Answer(response["statusCode"], content_type, json.loads(raw) if "json" in content_type else raw.decode())


def over_http(http: httpx.Client, event: dict[str, Any]) -> Answer:
    response = http.request(**request_of(event))
    content_type = response.headers.get("content-type", "")
    return Answer(response.status_code, content_type, response.json() if "json" in content_type else response.text)


def same_answer(function: Function, http: httpx.Client, event: dict[str, Any]) -> Answer:
    """The handler's answer to the event, checked equal to the local server's answer to the same request."""
    from_lambda = invoke_http(function, event)
    from_server = over_http(http, event)
    assert from_lambda == from_server
    return from_lambda


def with_workspace(event: dict[str, Any], workspace: str) -> dict[str, Any]:
    return derive(event, headers={"X-Workspace-Id": workspace})


# --- the functions and their sample events -------------------------------------------------------------


def test_every_function_has_a_sample_event_and_is_imported_from_its_own_folder(
    local_stack: Any, functions: dict[str, Function]
) -> None:
    folders = {p.name for p in (PROJECT_ROOT / "functions").iterdir() if (p / "handler.py").is_file()}
    assert set(functions) == folders
    for name in folders:
        assert (EVENTS / f"{name}.json").is_file(), f"events/{name}.json is missing"
    for spec in local_stack.resources.functions.values():
        module = load_module(PROJECT_ROOT, spec.code_uri, spec.handler.rpartition(".")[0])
        assert Path(module.__file__ or "") == (PROJECT_ROOT / spec.code_uri / "handler.py").resolve()


def test_http_sample_events_match_the_template_and_the_stage() -> None:
    routes = {
        "webhooks": {"ANY /webhook/{proxy+}", "ANY /webhook", "POST /v2/enqueue"},
        "incidents": {"ANY /incidents", "ANY /incidents/{proxy+}", "GET /activity", "GET /health", "GET /metrics"},
        "investigations": {
            "POST /incidents/{incident_id}/investigate",
            "GET /incidents/{incident_id}/diagnosis",
            "GET /investigations/{investigation_id}",
            "ANY /api/{proxy+}",
        },
        "actions": {"ANY /actions/{proxy+}", "ANY /approvals", "ANY /approvals/{proxy+}", "ANY /autonomy/{proxy+}"},
        "notifications": {
            "ANY /notifications/{proxy+}",
            "ANY /api/v1/notifications",
            "ANY /api/v1/notifications/{proxy+}",
            "ANY /oncall/{proxy+}",
        },
        "workflows": {
            "GET /workflows",
            "ANY /workflows/{proxy+}",
            "ANY /api/v1/workflows",
            "ANY /api/v1/workflows/{proxy+}",
        },
        "console": {"GET /console", "GET /console/{proxy+}"},
    }
    for name, keys in routes.items():
        event = sample(name)
        assert event["version"] == "2.0" and event["routeKey"] in keys
        assert event["requestContext"]["routeKey"] == event["routeKey"]
        assert event["requestContext"]["stage"] == "dev"
        assert event["rawPath"] == event["requestContext"]["http"]["path"]
        assert dict(parse_qsl(event["rawQueryString"])) == (event.get("queryStringParameters") or {})
        body = event.get("body")
        if body is not None:
            raw = base64.b64decode(body) if event["isBase64Encoded"] else body.encode()
            assert event["headers"]["content-length"] == str(len(raw))
            json.loads(raw)


# --- webhooks ------------------------------------------------------------------------------------------


def test_webhook_event_stores_the_alert_as_the_server_does(functions: dict[str, Function], http: httpx.Client) -> None:
    webhooks = functions["webhooks"]
    event = sample("webhooks")  # as given: the default workspace
    first = invoke_http(webhooks, event)
    assert first.status == 200 and first.body["ok"] is True and first.body["incident_id"].startswith("inc-")
    # From now on the alert is a duplicate: the server and the handler give the very same answer.
    again = same_answer(webhooks, http, event)
    assert again.status == 200 and again.body["deduplicated"] is True
    assert again.body["incident_id"] == first.body["incident_id"]


def test_webhook_post_in_a_workspace_then_list_and_404(
    functions: dict[str, Function], http: httpx.Client, workspace: str
) -> None:
    webhooks, incidents = functions["webhooks"], functions["incidents"]
    post = with_workspace(sample("webhooks"), workspace)
    created = invoke_http(webhooks, post)
    assert created.status == 200 and created.body["deduplicated"] is False
    # A second alert, to the generic webhook, over the base path /webhook with X-Source.
    generic = derive(
        post,
        path="/webhook",
        route_key="ANY /webhook",
        path_parameters={},
        headers={"X-Source": "webhook"},
        body={"title": "Queue depth above 10k", "service": "orders-worker", "severity": "warning"},
    )
    second = invoke_http(webhooks, generic)
    assert second.status == 200 and second.body["incident_id"] != created.body["incident_id"]

    listing = derive(sample("incidents"), query={"limit": "10"}, headers={"X-Workspace-Id": workspace})
    listed = same_answer(incidents, http, listing)
    assert listed.status == 200 and listed.body["count"] == 2
    assert {i["id"] for i in listed.body["incidents"]} == {created.body["incident_id"], second.body["incident_id"]}

    one = derive(
        listing, path=f"/incidents/{created.body['incident_id']}", query={}, route_key="ANY /incidents/{proxy+}"
    )
    assert same_answer(incidents, http, one).body["incident"]["id"] == created.body["incident_id"]

    missing = derive(one, path="/incidents/inc-000000000000")
    answer = same_answer(incidents, http, missing)
    assert answer.status == 404 and answer.body["error"]["type"] == "NotFoundError"
    # A path no route of the group serves: the same 404 as the server's.
    nowhere = same_answer(webhooks, http, derive(post, method="GET", path="/webhook/nowhere/at/all"))
    assert nowhere.status == 404


def test_webhook_body_sent_base64_encoded_is_decoded(
    functions: dict[str, Function], http: httpx.Client, workspace: str
) -> None:
    original = sample("webhooks")
    payload = json.loads(original["body"])
    encoded = derive(with_workspace(original, workspace), body=payload, base64_body=True)
    created = invoke_http(functions["webhooks"], encoded)
    assert created.status == 200 and created.body["deduplicated"] is False
    assert same_answer(functions["webhooks"], http, encoded).body["incident_id"] == created.body["incident_id"]


# --- incidents -----------------------------------------------------------------------------------------


def test_incidents_event_lists_open_incidents_as_the_server_does(
    functions: dict[str, Function], http: httpx.Client, workspace: str
) -> None:
    webhooks, incidents = functions["webhooks"], functions["incidents"]
    created = invoke_http(webhooks, with_workspace(sample("webhooks"), workspace)).body["incident_id"]
    resolve = derive(
        sample("incidents"),
        method="POST",
        path=f"/incidents/{created}/resolve",
        query={},
        route_key="ANY /incidents/{proxy+}",
        headers={"X-Workspace-Id": workspace},
        body={},
    )
    assert invoke_http(incidents, resolve).status == 200

    listed = same_answer(incidents, http, sample("incidents"))  # as given: every workspace, state=open
    assert listed.status == 200
    assert listed.body["incidents"] and all(i["state"] == "open" for i in listed.body["incidents"])
    assert created not in {i["id"] for i in listed.body["incidents"]}

    resolved = derive(sample("incidents"), query={"state": "resolved"}, headers={"X-Workspace-Id": workspace})
    assert [i["id"] for i in same_answer(incidents, http, resolved).body["incidents"]] == [created]

    bad = derive(sample("incidents"), query={"state": "sleeping"})
    assert same_answer(incidents, http, bad).status == 422


def test_health_through_the_incidents_function(functions: dict[str, Function], http: httpx.Client) -> None:
    health = derive(sample("incidents"), path="/health", query={}, route_key="GET /health")
    answer = invoke_http(functions["incidents"], health)
    assert answer.status == over_http(http, health).status == 200
    # Both queues' depth: how far ingest and the investigations are behind.
    for queue in ("queue", "investigation_queue"):
        assert answer.body["checks"][queue]["status"] == "ok" and answer.body["checks"][queue]["messages_waiting"] >= 0


# --- investigations ------------------------------------------------------------------------------------


def _investigate_event(incident_id: str) -> dict[str, Any]:
    event = sample("investigations")
    return derive(
        event,
        path=f"/incidents/{incident_id}/investigate",
        path_parameters={"incident_id": incident_id},
    )


def test_investigations_event_starts_an_investigation_and_it_reads_the_same_through_both(
    functions: dict[str, Function], http: httpx.Client, workspace: str
) -> None:
    investigations = functions["investigations"]
    incident_id = invoke_http(functions["webhooks"], with_workspace(sample("webhooks"), workspace)).body["incident_id"]
    event = _investigate_event(incident_id)

    from_lambda, from_server = invoke_http(investigations, event), over_http(http, event)
    assert from_lambda.status == from_server.status == 202
    for started in (from_lambda.body, from_server.body):
        assert started["incident_id"] == incident_id and started["status"] == "running"
    assert from_lambda.body["investigation_id"] != from_server.body["investigation_id"]

    for started in (from_lambda.body, from_server.body):
        follow = derive(
            event,
            method="GET",
            path=f"/investigations/{started['investigation_id']}",
            route_key="GET /investigations/{investigation_id}",
            path_parameters={"investigation_id": started["investigation_id"]},
            headers={"X-Workspace-Id": workspace},
        )

        def finished(follow: dict[str, Any] = follow) -> Answer | None:
            answer = invoke_http(investigations, follow)
            return answer if answer.body["status"] != "running" else None

        wait_for(finished, timeout=60, interval=0.25)
        done = same_answer(investigations, http, follow)
        assert done.status == 200 and done.body["status"] == "succeeded", done.body
        assert done.body["result"]["incident_id"] == incident_id
        # As the sample event asks, with no workspace: found by its id alone (gsi3), the same answer.
        unscoped = copy.deepcopy(follow)
        del unscoped["headers"]["x-workspace-id"]
        assert same_answer(investigations, http, unscoped) == done

    diagnosis = derive(
        event,
        method="GET",
        path=f"/incidents/{incident_id}/diagnosis",
        route_key="GET /incidents/{incident_id}/diagnosis",
        headers={"X-Workspace-Id": workspace},
    )
    assert same_answer(investigations, http, diagnosis).status == 200
    missing = derive(
        diagnosis, path="/investigations/inv-000000000000", route_key="GET /investigations/{investigation_id}"
    )
    assert same_answer(investigations, http, missing).status == 404


def test_holmes_chat_with_a_base64_body_through_the_investigations_function(
    functions: dict[str, Function], http: httpx.Client
) -> None:
    chat = derive(
        sample("investigations"),
        path="/api/chat",
        route_key="ANY /api/{proxy+}",
        path_parameters={"proxy": "chat"},
        body={"ask": "Why is payments-api returning 5xx errors?"},
        base64_body=True,
    )
    answer = same_answer(functions["investigations"], http, chat)
    assert answer.status == 200 and answer.body["analysis"]


# --- starter (SQS) -------------------------------------------------------------------------------------


def test_starter_event_as_given_names_incidents_that_do_not_exist_and_is_dropped(
    functions: dict[str, Function],
) -> None:
    # Retrying cannot make them exist: the requests are dropped (and logged), not sent round to the DLQ.
    assert functions["starter"](sample("starter")) == {"batchItemFailures": []}


def test_starter_event_starts_one_investigation_for_a_request_delivered_twice(
    functions: dict[str, Function], workspace: str
) -> None:
    root = invoke_http(functions["webhooks"], with_workspace(sample("webhooks"), workspace)).body["incident_id"]
    event = copy.deepcopy(sample("starter"))
    for record in event["Records"]:  # the same request twice, as SQS may deliver it
        record["body"] = json.dumps(json.loads(record["body"]) | {"workspace_id": workspace, "incident_id": root})
    assert functions["starter"](event) == {"batchItemFailures": []}
    from aisre.core.scope import default_scope
    from aisre.investigations.providers import investigation_store

    assert len(default_scope().get(investigation_store).of_incident(workspace, root)) == 1


# --- ingest (SQS) --------------------------------------------------------------------------------------


def _incidents_of(functions: dict[str, Function], workspace: str) -> list[dict[str, Any]]:
    listing = derive(sample("incidents"), query={"limit": "100"}, headers={"X-Workspace-Id": workspace})
    incidents: list[dict[str, Any]] = invoke_http(functions["incidents"], listing).body["incidents"]
    return incidents


def test_ingest_event_as_given_stores_both_alerts(functions: dict[str, Function]) -> None:
    assert functions["ingest"](sample("ingest")) == {"batchItemFailures": []}
    titles = {i["title"] for i in _incidents_of(functions, "default")}
    assert "Disk usage above 90% on /var/lib/postgresql" in titles
    assert any("payments-api-5xx" in title for title in titles), titles


def test_ingest_batch_with_a_bad_record_reports_only_that_one(
    functions: dict[str, Function], http: httpx.Client, workspace: str
) -> None:
    good, bad = copy.deepcopy(sample("ingest")["Records"][1]), copy.deepcopy(sample("ingest")["Records"][1])
    attributes = {"workspace_id": {"stringValue": workspace, "dataType": "String"}}
    good.update(messageId=str(uuid.uuid4()), messageAttributes=attributes)
    envelope = json.loads(bad["body"])
    envelope["Message"] = json.dumps({"no": "title, service or anything an alert needs"})
    bad.update(messageId=str(uuid.uuid4()), messageAttributes=attributes, body=json.dumps(envelope))

    report = functions["ingest"]({"Records": [good, bad]})
    assert report == {"batchItemFailures": [{"itemIdentifier": bad["messageId"]}]}
    assert [i["title"] for i in _incidents_of(functions, workspace)] == ["Disk usage above 90% on /var/lib/postgresql"]
    # The bad one is kept, readable and replayable, under its message id.
    dead = derive(
        sample("webhooks"),
        method="GET",
        path=f"/webhook/dead-letter/dlq-sqs-{bad['messageId']}",
        path_parameters={"proxy": f"dead-letter/dlq-sqs-{bad['messageId']}"},
        headers={"X-Workspace-Id": workspace},
    )
    assert same_answer(functions["webhooks"], http, dead).status == 200


# --- steps (Step Functions tasks) ----------------------------------------------------------------------


def test_steps_event_runs_a_real_step_on_an_incident_the_test_created(
    functions: dict[str, Function], workspace: str
) -> None:
    incident_id = invoke_http(functions["webhooks"], with_workspace(sample("webhooks"), workspace)).body["incident_id"]
    event = sample("steps")
    event["state"].update(workspace_id=workspace, incident_id=incident_id)

    gathered = functions["steps"](event)
    assert gathered["step"]["name"] == event["step"] == "gather_cluster"
    assert gathered["step"]["status"] == "succeeded" and isinstance(gathered["results"], list)

    # The next Task state, with the Parallel state's output where the state machine puts it.
    analyzed = functions["steps"]({"step": "analyze", "state": {**event["state"], "gathered": [gathered]}})
    assert analyzed["step"]["status"] == "succeeded"
    assert analyzed["diagnosis"]["incident_id"] == incident_id and analyzed["diagnosis"]["summary"]

    # An unknown step raises the named error class that the state machine's Retry/Catch match on.
    with pytest.raises(Exception) as raised:
        functions["steps"]({"step": "no_such_step", "state": event["state"]})
    assert type(raised.value).__name__ == "ValidationError"


# --- actions -------------------------------------------------------------------------------------------


def test_actions_event_lists_approvals_as_the_server_does(
    functions: dict[str, Function], http: httpx.Client, workspace: str
) -> None:
    listing = derive(sample("actions"), headers={"X-Workspace-Id": workspace})
    answer = same_answer(functions["actions"], http, listing)
    assert answer.status == 200 and answer.body == {"approvals": [], "count": 0, "next_cursor": None}
    advice = derive(
        listing,
        method="POST",
        path="/actions/execute",
        query={},
        route_key="ANY /actions/{proxy+}",
        body={"action": "suggest_config_fix", "component": "api", "issue": "OOMKilled", "current_spec": ""},
    )
    proposed = same_answer(functions["actions"], http, advice)
    assert proposed.status == 200 and proposed.body["status"] == "dry_run" and proposed.body["proposal"]["diff"]
    unknown = derive(advice, body={"action": "drain_node"})
    assert same_answer(functions["actions"], http, unknown).status == 422


def test_actions_function_invoked_directly_runs_one_action(functions: dict[str, Function], workspace: str) -> None:
    """A workflow's Task state invokes the actions function with the action: ActionService.execute runs it."""
    event = {
        "execute": {
            "workspace_id": workspace,
            "principal": "workflow:oom_recovery",
            "action": "suggest_config_fix",
            "fields": {"component": "api", "issue": "OOMKilled", "current_spec": "limits:\n  memory: 256Mi\n"},
        }
    }
    outcome = functions["actions"](event)
    assert outcome["status"] == "dry_run" and "memory: 512Mi" in outcome["proposal"]["diff"]


def test_actions_function_on_its_schedule_runs_no_cycle_while_autonomy_is_disabled(
    functions: dict[str, Function],
) -> None:
    """The template's AutonomyCycle rule sends its Input; with autonomy off (the default) nothing is done."""
    scheduled = json.loads((EVENTS / "actions-autonomy.json").read_text())
    assert scheduled == {"autonomy": "run_cycle"}
    assert functions["actions"](scheduled) == {"ran": False, "reason": "autonomy is disabled (AUTONOMY_ENABLED=false)"}


def test_actions_function_refuses_a_workflow_task_it_does_not_know(functions: dict[str, Function]) -> None:
    with pytest.raises(Exception) as raised:
        functions["actions"]({"workflow": {"task": "drain_node"}})
    assert type(raised.value).__name__ == "ValidationError"


# --- workflows -----------------------------------------------------------------------------------------


def test_workflows_event_lists_them_as_the_server_does(
    functions: dict[str, Function], http: httpx.Client, workspace: str
) -> None:
    listing = same_answer(functions["workflows"], http, with_workspace(sample("workflows"), workspace))
    assert listing.status == 200 and [w["id"] for w in listing.body["workflows"]] == [
        "oom_recovery",
        "crashloop_triage",
    ]
    created = derive(
        with_workspace(sample("workflows"), workspace),
        method="POST",
        path="/api/v1/workflows/",
        route_key="ANY /api/v1/workflows/{proxy+}",
        body={"name": "look", "steps": [{"name": "look", "step_type": "nuke_cluster"}]},
    )
    refused = same_answer(functions["workflows"], http, created)
    assert refused.status == 422 and refused.body["error"]["details"] == {"step": "look"}


def test_workflow_steps_function_reads_and_fails_with_the_error_its_retry_and_catch_name(
    functions: dict[str, Function],
) -> None:
    """No cluster to read in the test's environment: the step fails with the named error (the run then compensates)."""
    with pytest.raises(Exception) as raised:
        functions["workflow_steps"](sample("workflow_steps"))
    assert type(raised.value).__name__ == "WorkflowStepFailedError"
    with pytest.raises(Exception) as raised:
        functions["workflow_steps"]({**sample("workflow_steps"), "task": "drain_node"})
    assert type(raised.value).__name__ == "ValidationError"


def test_notifications_event_reads_the_routes_as_the_server_does(
    functions: dict[str, Function], http: httpx.Client, workspace: str
) -> None:
    routes = same_answer(functions["notifications"], http, with_workspace(sample("notifications"), workspace))
    assert routes.status == 200 and routes.body["default_rules"]["critical"]


def test_notification_delivery_event_routes_its_event_and_reports_a_foreign_message(
    functions: dict[str, Function],
) -> None:
    event = sample("notification_delivery")
    assert functions["notification_delivery"](event) == {"batchItemFailures": []}
    foreign = copy.deepcopy(event)
    foreign["Records"][0]["body"] = '{"workspace_id": "default", "incident_id": "inc-1"}'
    assert functions["notification_delivery"](foreign) == {
        "batchItemFailures": [{"itemIdentifier": foreign["Records"][0]["messageId"]}]
    }


# --- console -------------------------------------------------------------------------------------------


def test_console_event_serves_its_files_as_the_server_does(functions: dict[str, Function], http: httpx.Client) -> None:
    """The page's files come out of the Lambda (the package data of the code layer) exactly as the server sends them,
    the page at /console behind the stage, its config, and a 404 for a path that climbs out of the folder."""
    console = functions["console"]
    script = same_answer(console, http, sample("console"))
    assert script.status == 200 and script.content_type.startswith("text/javascript") and "render(" in script.body
    page = derive(sample("console"), path="/console", route_key="GET /console", path_parameters={})
    answer = console(page)
    assert answer["statusCode"] == 200 and "frame-ancestors 'none'" in answer["headers"]["content-security-policy"]
    assert same_answer(console, http, page).body.startswith("<!doctype html>")
    config = same_answer(console, http, derive(sample("console"), path="/console/config.json"))
    assert config.status == 200 and config.body["dev_mode"] is True and config.body["live_url"] is None
    packed = console(derive(sample("console"), headers={"Accept-Encoding": "gzip, deflate, br"}))
    assert packed["isBase64Encoded"] and packed["headers"]["content-encoding"] == "gzip"
    assert gzip.decompress(base64.b64decode(packed["body"])).decode() == script.body
    climbing = same_answer(console, http, derive(sample("console"), path="/console/pages/%2E%2E/%2E%2E/app.py"))
    assert climbing.status == 404 and climbing.body["error"]["field"] == "path"


# --- live events ---------------------------------------------------------------------------------------


def test_live_socket_event_answers_its_ping_as_the_route_response(functions: dict[str, Function]) -> None:
    answer = functions["live_socket"](sample("live_socket"))
    assert answer["statusCode"] == 200 and json.loads(answer["body"])["type"] == "pong"
    derived = copy.deepcopy(sample("live_socket"))
    derived["body"] = '{"type": "subscribe", "event": "incident.created"}'
    assert json.loads(functions["live_socket"](derived)["body"])["code"] == "unauthenticated"
    derived["requestContext"].update(routeKey="$disconnect", eventType="DISCONNECT")
    assert functions["live_socket"](derived) == {"statusCode": 200}


def test_live_fanout_event_makes_its_event_and_sends_it_to_nobody_listening(functions: dict[str, Function]) -> None:
    event = copy.deepcopy(sample("live_fanout"))
    event["Records"][0]["dynamodb"]["Keys"]["pk"]["S"] = f"WS#ws-{uuid.uuid4().hex[:12]}#INC#inc-0123456789ab"
    assert functions["live_fanout"](event) == {"events": 1, "sent": 0, "gone": 0, "failed": 0}
