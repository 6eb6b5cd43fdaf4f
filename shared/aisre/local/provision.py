"""Create the template's tables, queues, topics and subscriptions in the emulator, and read its functions."""

from __future__ import annotations

import contextlib
import copy
import io
import json
import logging
import re
import urllib.request
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config

from aisre.local.stream_filters import FilterError, parse_filter_criteria
from aisre.local.template import (
    LOCAL_ACCOUNT_ID,
    ResolvedResource,
    Resolver,
    TemplateError,
    parameter_values,
    pseudo_parameters,
    referenced_names,
)

logger = logging.getLogger(__name__)

RESTORE_TIMEOUT_SECONDS = 900
FUNCTION_TYPE = "AWS::Serverless::Function"
STATE_MACHINE_TYPES = ("AWS::Serverless::StateMachine", "AWS::StepFunctions::StateMachine")
# Lambda needs a deployment package to create a function; the handler itself runs in our process.
_PLACEHOLDER_CODE = "def handler(event, context):\n    raise RuntimeError('runs in the aisre process')\n"


@dataclass(frozen=True)
class SqsEventSource:
    """One SQS event of a function: what the event source mapping would poll and how."""

    name: str
    queue_url: str
    queue_arn: str
    batch_size: int = 10
    report_batch_item_failures: bool = False
    maximum_batching_window_seconds: int = 0
    enabled: bool = True


@dataclass(frozen=True)
class StreamEventSource:
    """One DynamoDB event of a function: the stream its event source mapping would read, and how."""

    name: str
    table_name: str
    stream_arn: str
    batch_size: int = 100
    starting_position: str = "LATEST"
    filters: list[dict[str, Any]] | None = None  # FilterCriteria's patterns; None: every record
    maximum_retry_attempts: int = -1  # -1: until the record expires, as Lambda's default
    maximum_batching_window_seconds: int = 0
    enabled: bool = True


@dataclass(frozen=True)
class TableStream:
    """A table's StreamSpecification: emulated in the emulator (local/streams.py), not by moto."""

    table_name: str
    view_type: str
    arn: str


@dataclass(frozen=True)
class ScheduleEventSource:
    """One Schedule/ScheduleV2 event of a function: the EventBridge rule that would invoke it."""

    name: str
    expression: str
    input: str | None = None
    enabled: bool = True


@dataclass
class FunctionSpec:
    """A function as the template declares it, Globals merged and intrinsics resolved."""

    logical_id: str
    function_name: str
    arn: str
    code_uri: str
    handler: str
    environment: dict[str, str]
    timeout: int = 3
    memory_size: int = 128
    sqs_events: list[SqsEventSource] = field(default_factory=list)
    http_events: list[tuple[str, str]] = field(default_factory=list)
    schedule_events: list[ScheduleEventSource] = field(default_factory=list)
    stream_events: list[StreamEventSource] = field(default_factory=list)


@dataclass
class LocalStackResources:
    """What provisioning produced: physical ids and attributes, functions, and skipped resources."""

    stack_name: str
    region: str
    account_id: str
    resources: dict[str, ResolvedResource] = field(default_factory=dict)
    resource_types: dict[str, str] = field(default_factory=dict)
    functions: dict[str, FunctionSpec] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)
    outputs: dict[str, Any] = field(default_factory=dict)
    streams: dict[str, TableStream] = field(default_factory=dict)  # by the table's logical id

    def physical_id(self, logical_id: str) -> str:
        """What Ref returns for the resource (table name, queue URL, topic ARN, ...)."""
        return self.resources[logical_id].ref

    def attribute(self, logical_id: str, name: str) -> Any:
        """What Fn::GetAtt returns (e.g. a queue's Arn)."""
        return self.resources[logical_id].attributes[name]

    def environment(self) -> dict[str, str]:
        """The function environments merged for one local process that serves them all."""
        merged: dict[str, str] = {}
        for spec in self.functions.values():
            for key, value in spec.environment.items():
                if key in merged and merged[key] != value:
                    # One process cannot give two functions different values; say so rather than guess.
                    logger.warning("functions disagree on %s (%r vs %r); using %r", key, merged[key], value, value)
                merged[key] = value
        merged["AISRE_PROFILE"] = "local"
        return merged


class _StandInAttributes(dict[str, Any]):
    """Any attribute of a resource that is not emulated: a stable made-up value, so templates resolve."""

    def __init__(self, arn: str) -> None:
        super().__init__(Arn=arn)
        self.arn = arn

    def __contains__(self, key: object) -> bool:
        return True

    def __missing__(self, key: str) -> str:
        return f"{self.arn}/{key}"


def _text(value: Any) -> str:
    """An attribute or environment value as AWS wants it: a string (JSON for structures)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return json.dumps(value, separators=(",", ":"))
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _tags(props: dict[str, Any]) -> list[dict[str, str]]:
    tags = props.get("Tags") or []
    if isinstance(tags, dict):  # SAM-style {key: value}
        return [{"Key": str(k), "Value": _text(v)} for k, v in tags.items()]
    return [{"Key": str(t["Key"]), "Value": _text(t["Value"])} for t in tags]


def dependency_order(resources: dict[str, dict[str, Any]]) -> list[str]:
    """Logical ids ordered so that each comes after the resources it refers to (Ref, GetAtt, Sub, DependsOn)."""
    deps: dict[str, set[str]] = {}
    for logical_id, spec in resources.items():
        names = referenced_names(spec.get("Properties") or {})
        depends_on = spec.get("DependsOn") or []
        names.update([depends_on] if isinstance(depends_on, str) else depends_on)
        deps[logical_id] = {n for n in names if n in resources and n != logical_id}
    ordered: list[str] = []
    state: dict[str, int] = {}  # 1 visiting, 2 done

    def visit(node: str) -> None:
        if state.get(node) == 2:
            return
        if state.get(node) == 1:
            raise TemplateError(f"circular dependency through {node}")
        state[node] = 1
        for dep in sorted(deps[node]):
            visit(dep)
        state[node] = 2
        ordered.append(node)

    for logical_id in resources:  # template order where dependencies allow, for stable output
        visit(logical_id)
    return ordered


def _with_globals(template: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Resources with SAM's Globals.Function merged into each function (function values win)."""
    resources = copy.deepcopy(template.get("Resources") or {})
    globals_fn = (template.get("Globals") or {}).get("Function") or {}
    for spec in resources.values():
        if spec.get("Type") != FUNCTION_TYPE:
            continue
        props = spec.setdefault("Properties", {})
        for key, value in globals_fn.items():
            if key == "Environment":
                variables = dict((value or {}).get("Variables") or {})
                variables.update(((props.get("Environment") or {}).get("Variables")) or {})
                props["Environment"] = {"Variables": variables}
            elif key not in props:
                props[key] = copy.deepcopy(value)
    return resources


class _Provisioner:
    def __init__(
        self,
        template: dict[str, Any],
        endpoint_url: str,
        region: str,
        stack_name: str,
        parameters: dict[str, Any] | None,
        base_dir: Path | None = None,
    ) -> None:
        self.template = template
        self.base_dir = base_dir or Path.cwd()
        self.endpoint_url = endpoint_url
        self.region = region
        self.stack_name = stack_name
        self.resolver = Resolver(
            template, parameter_values(template, parameters), pseudo_parameters(region, stack_name)
        )
        session = boto3.session.Session(
            aws_access_key_id="testing", aws_secret_access_key="testing", region_name=region
        )
        # CreateTable is when the emulator restores the data directory into the table: seconds for a large one,
        # which botocore's default 60 s read timeout must not cut short (its retry would find the table made).
        self.dynamodb = session.client(
            "dynamodb", endpoint_url=endpoint_url, config=Config(read_timeout=RESTORE_TIMEOUT_SECONDS)
        )
        self.sqs = session.client("sqs", endpoint_url=endpoint_url)
        self.sns = session.client("sns", endpoint_url=endpoint_url)
        self.iam = session.client("iam", endpoint_url=endpoint_url)
        self.lambda_ = session.client("lambda", endpoint_url=endpoint_url)
        self.stepfunctions = session.client("stepfunctions", endpoint_url=endpoint_url)
        self._role_arn: str | None = None
        self.result = LocalStackResources(stack_name=stack_name, region=region, account_id=LOCAL_ACCOUNT_ID)
        self.creators = {
            "AWS::DynamoDB::Table": self._table,
            "AWS::SQS::Queue": self._queue,
            "AWS::SNS::Topic": self._topic,
            "AWS::SNS::Subscription": self._subscription,
            FUNCTION_TYPE: self._function,
            **{kind: self._state_machine for kind in STATE_MACHINE_TYPES},
        }

    def physical_name(self, logical_id: str) -> str:
        # CloudFormation names unnamed resources "<stack>-<logical id>-<random>"; locally the
        # random part is dropped so that names are stable across runs.
        return f"{self.stack_name}-{logical_id}"

    def run(self) -> LocalStackResources:
        resources = _with_globals(self.template)
        for logical_id in dependency_order(resources):
            spec = resources[logical_id]
            kind = str(spec.get("Type"))
            if not self.resolver.resource_enabled(logical_id):
                continue
            self.result.resource_types[logical_id] = kind
            creator = self.creators.get(kind)
            if creator is None:
                # IAM, policies, APIs, layers: nothing to emulate, but Ref/GetAtt on them must resolve.
                self.result.skipped[logical_id] = kind
                resolved = self._stand_in(logical_id, kind)
            else:
                resolved = creator(logical_id, spec.get("Properties") or {})
            self.resolver.resources[logical_id] = resolved
            self.result.resources[logical_id] = resolved
        self._outputs()
        self._configure_streams()
        return self.result

    def _stand_in(self, logical_id: str, kind: str) -> ResolvedResource:
        name = self.physical_name(logical_id)
        service = kind.split("::")[1].lower() if kind.count("::") >= 2 else "local"
        arn = f"arn:aws:{service}:{self.region}:{LOCAL_ACCOUNT_ID}:{name}"
        if kind == "AWS::IAM::Role":
            # A role's ARN in IAM's own shape: the platform hands it to Step Functions (CreateStateMachine's roleArn,
            # a workflow's compiled state machine), which refuses any other shape.
            arn = f"arn:aws:iam::{LOCAL_ACCOUNT_ID}:role/{name}"
        return ResolvedResource(ref=name, attributes=_StandInAttributes(arn))

    def _outputs(self) -> None:
        for name, spec in (self.template.get("Outputs") or {}).items():
            try:
                if "Condition" in spec and not self.resolver.condition(spec["Condition"]):
                    continue
                self.result.outputs[name] = self.resolver.resolve(spec.get("Value"))
            except TemplateError as exc:
                logger.debug("output %s not resolvable locally: %s", name, exc)

    # --- DynamoDB ---------------------------------------------------------------------------------

    def _table(self, logical_id: str, raw: dict[str, Any]) -> ResolvedResource:
        props = self.resolver.resolve(raw)
        name = props.get("TableName") or self.physical_name(logical_id)
        request: dict[str, Any] = {
            "TableName": name,
            "AttributeDefinitions": props["AttributeDefinitions"],
            "KeySchema": props["KeySchema"],
            "BillingMode": props.get("BillingMode", "PROVISIONED"),
        }
        if request["BillingMode"] == "PROVISIONED":
            request["ProvisionedThroughput"] = props.get(
                "ProvisionedThroughput", {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5}
            )
        for key in ("GlobalSecondaryIndexes", "LocalSecondaryIndexes"):
            if props.get(key):
                request[key] = props[key]
        # No StreamSpecification for moto: the emulator records the stream itself (local/streams.py), configured
        # once the functions that read it are known (_configure_streams).
        stream_view = (props.get("StreamSpecification") or {}).get("StreamViewType")
        if _tags(props):
            request["Tags"] = _tags(props)
        try:
            description = self.dynamodb.create_table(**request)["TableDescription"]
            ttl = props.get("TimeToLiveSpecification")
            if ttl and ttl.get("Enabled"):
                self.dynamodb.update_time_to_live(
                    TableName=name,
                    TimeToLiveSpecification={"AttributeName": ttl["AttributeName"], "Enabled": True},
                )
            pitr = props.get("PointInTimeRecoverySpecification") or {}
            if pitr.get("PointInTimeRecoveryEnabled"):
                self.dynamodb.update_continuous_backups(
                    TableName=name,
                    PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True},
                )
        except self.dynamodb.exceptions.ResourceInUseException:
            # Provisioned before on this emulator: keep it (provisioning is idempotent).
            description = self.dynamodb.describe_table(TableName=name)["Table"]
        attributes = {"Arn": description["TableArn"]}
        if stream_view:
            attributes["StreamArn"] = f"{description['TableArn']}/stream/local"
            self.result.streams[logical_id] = TableStream(name, str(stream_view), attributes["StreamArn"])
        return ResolvedResource(ref=name, attributes=attributes)

    def _configure_streams(self) -> None:
        """Tell the emulator which tables stream, and which records their readers want (the union of their
        FilterCriteria: a record none of them wants is never built)."""
        for stream in self.result.streams.values():
            readers = [
                source
                for spec in self.result.functions.values()
                for source in spec.stream_events
                if source.stream_arn == stream.arn and source.enabled
            ]
            filters: list[dict[str, Any]] | None = []
            for source in readers:
                if source.filters is None or filters is None:
                    filters = None  # a reader without filters reads every record
                else:
                    filters += source.filters
            body = json.dumps({"view_type": stream.view_type, "filters": filters}).encode()
            request = urllib.request.Request(
                f"{self.endpoint_url}/_aisre/streams/{stream.table_name}", data=body, method="PUT"
            )
            with urllib.request.urlopen(request, timeout=30) as answer:
                answer.read()

    # --- SQS --------------------------------------------------------------------------------------

    _QUEUE_ATTRIBUTES = (
        "ContentBasedDeduplication",
        "DeduplicationScope",
        "DelaySeconds",
        "FifoQueue",
        "FifoThroughputLimit",
        "KmsDataKeyReusePeriodSeconds",
        "KmsMasterKeyId",
        "MaximumMessageSize",
        "MessageRetentionPeriod",
        "ReceiveMessageWaitTimeSeconds",
        "RedriveAllowPolicy",
        "RedrivePolicy",
        "SqsManagedSseEnabled",
        "VisibilityTimeout",
    )

    def _queue(self, logical_id: str, raw: dict[str, Any]) -> ResolvedResource:
        props = self.resolver.resolve(raw)
        fifo = str(props.get("FifoQueue", "")).lower() == "true"
        name = props.get("QueueName") or self.physical_name(logical_id) + (".fifo" if fifo else "")
        attributes = {key: _text(props[key]) for key in self._QUEUE_ATTRIBUTES if key in props}
        request: dict[str, Any] = {"QueueName": name, "Attributes": attributes}
        tags = {t["Key"]: t["Value"] for t in _tags(props)}
        if tags:
            request["tags"] = tags
        url = self.sqs.create_queue(**request)["QueueUrl"]
        arn = self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        return ResolvedResource(ref=url, attributes={"Arn": arn, "QueueName": name, "QueueUrl": url})

    # --- SNS --------------------------------------------------------------------------------------

    def _topic(self, logical_id: str, raw: dict[str, Any]) -> ResolvedResource:
        props = self.resolver.resolve(raw)
        fifo = str(props.get("FifoTopic", "")).lower() == "true"
        name = props.get("TopicName") or self.physical_name(logical_id) + (".fifo" if fifo else "")
        attributes = {
            key: _text(props[key])
            for key in ("DisplayName", "KmsMasterKeyId", "FifoTopic", "ContentBasedDeduplication", "TracingConfig")
            if key in props
        }
        request: dict[str, Any] = {"Name": name, "Attributes": attributes}
        if _tags(props):
            request["Tags"] = _tags(props)
        arn = self.sns.create_topic(**request)["TopicArn"]
        # The inline form: Subscription: [{Protocol, Endpoint}].
        for inline in props.get("Subscription") or []:
            self.sns.subscribe(TopicArn=arn, Protocol=inline["Protocol"], Endpoint=inline["Endpoint"])
        return ResolvedResource(ref=arn, attributes={"TopicArn": arn, "TopicName": name})

    _SUBSCRIPTION_ATTRIBUTES = (
        "DeliveryPolicy",
        "FilterPolicy",
        "FilterPolicyScope",
        "RawMessageDelivery",
        "RedrivePolicy",
        "ReplayPolicy",
        "SubscriptionRoleArn",
    )

    def _subscription(self, logical_id: str, raw: dict[str, Any]) -> ResolvedResource:
        props = self.resolver.resolve(raw)
        attributes = {key: _text(props[key]) for key in self._SUBSCRIPTION_ATTRIBUTES if key in props}
        arn = self.sns.subscribe(
            TopicArn=props["TopicArn"],
            Protocol=props["Protocol"],
            Endpoint=props["Endpoint"],
            Attributes=attributes,
            ReturnSubscriptionArn=True,
        )["SubscriptionArn"]
        return ResolvedResource(ref=arn, attributes={})

    # --- Functions (read, not created: their handlers run in-process) ------------------------------

    _FUNCTION_PROPERTIES = ("FunctionName", "CodeUri", "Handler", "Environment", "Timeout", "MemorySize")
    _EVENT_TYPES = ("SQS", "HttpApi", "Api", "Schedule", "ScheduleV2", "DynamoDB")

    def _function(self, logical_id: str, raw: dict[str, Any]) -> ResolvedResource:
        # Only what running the handler needs is resolved: policies, layers, roles and VPC settings
        # may refer to things the emulator has no notion of.
        props = self.resolver.resolve({k: raw[k] for k in self._FUNCTION_PROPERTIES if k in raw})
        events = {
            event_name: self.resolver.resolve(event)
            for event_name, event in (raw.get("Events") or {}).items()
            if event.get("Type") in self._EVENT_TYPES
        }
        name = props.get("FunctionName") or self.physical_name(logical_id)
        arn = f"arn:aws:lambda:{self.region}:{LOCAL_ACCOUNT_ID}:function:{name}"
        variables = ((props.get("Environment") or {}).get("Variables")) or {}
        spec = FunctionSpec(
            logical_id=logical_id,
            function_name=name,
            arn=arn,
            code_uri=str(props.get("CodeUri", ".")),
            handler=str(props["Handler"]),
            environment={str(k): _text(v) for k, v in variables.items()},
            timeout=int(props.get("Timeout", 3)),
            memory_size=int(props.get("MemorySize", 128)),
        )
        for event_name, event in events.items():
            kind, event_props = event.get("Type"), event.get("Properties") or {}
            if kind == "SQS":
                spec.sqs_events.append(self._sqs_event(event_name, event_props))
            elif kind == "DynamoDB":
                spec.stream_events.append(self._stream_event(event_name, event_props))
            elif kind in ("HttpApi", "Api"):
                spec.http_events.append((str(event_props.get("Method", "ANY")).upper(), str(event_props["Path"])))
            elif kind in ("Schedule", "ScheduleV2"):
                expression = event_props.get("Schedule") or event_props.get("ScheduleExpression")
                state = str(event_props.get("State", "ENABLED")).upper()
                spec.schedule_events.append(
                    ScheduleEventSource(
                        name=event_name,
                        expression=str(expression),
                        input=event_props.get("Input"),
                        enabled=bool(event_props.get("Enabled", True)) and state == "ENABLED",
                    )
                )
        self.result.functions[logical_id] = spec
        self._create_lambda(spec)
        return ResolvedResource(ref=name, attributes={"Arn": arn})

    def _execution_role(self) -> str:
        """One role for every emulated function and state machine (moto checks that roles exist)."""
        if self._role_arn is None:
            name = f"{self.stack_name}-local-execution"
            try:
                self._role_arn = self.iam.create_role(RoleName=name, AssumeRolePolicyDocument="{}")["Role"]["Arn"]
            except self.iam.exceptions.EntityAlreadyExistsException:
                self._role_arn = self.iam.get_role(RoleName=name)["Role"]["Arn"]
        return self._role_arn

    def _create_lambda(self, spec: FunctionSpec) -> None:
        """Register the function with the emulator's Lambda, so Step Functions Task states can invoke it;
        the emulator forwards those invocations to the in-process handler (local/runtime.py)."""
        package = io.BytesIO()
        with zipfile.ZipFile(package, "w") as archive:
            archive.writestr("handler.py", _PLACEHOLDER_CODE)
        with contextlib.suppress(self.lambda_.exceptions.ResourceConflictException):  # provisioned before
            self.lambda_.create_function(
                FunctionName=spec.function_name,
                Runtime="python3.12",
                Role=self._execution_role(),
                Handler=spec.handler,
                Code={"ZipFile": package.getvalue()},
                Timeout=spec.timeout,
                MemorySize=spec.memory_size,
            )

    # --- Step Functions ---------------------------------------------------------------------------

    def _state_machine(self, logical_id: str, raw: dict[str, Any]) -> ResolvedResource:
        props = self.resolver.resolve(
            {k: raw[k] for k in ("Name", "StateMachineName", "Definition", "DefinitionString", "DefinitionUri",
                                 "DefinitionSubstitutions", "Type", "StateMachineType") if k in raw}
        )  # fmt: skip
        name = props.get("Name") or props.get("StateMachineName") or self.physical_name(logical_id)
        if "DefinitionUri" in props:
            text = (self.base_dir / str(props["DefinitionUri"])).read_text(encoding="utf-8")
        elif "DefinitionString" in props:
            text = str(props["DefinitionString"])
        else:
            text = json.dumps(props.get("Definition") or {})
        substitutions = {str(k): _text(v) for k, v in (props.get("DefinitionSubstitutions") or {}).items()}
        text = re.sub(r"\$\{([A-Za-z0-9_]+)\}", lambda m: substitutions.get(m.group(1), m.group(0)), text)
        kind = str(props.get("Type") or props.get("StateMachineType") or "STANDARD")
        arn = f"arn:aws:states:{self.region}:{LOCAL_ACCOUNT_ID}:stateMachine:{name}"
        with contextlib.suppress(self.stepfunctions.exceptions.StateMachineAlreadyExists):
            arn = self.stepfunctions.create_state_machine(
                name=name, definition=text, roleArn=self._execution_role(), type=kind
            )["stateMachineArn"]
        return ResolvedResource(ref=arn, attributes={"Arn": arn, "Name": name})

    def _stream_event(self, name: str, props: dict[str, Any]) -> StreamEventSource:
        stream_arn = str(props["Stream"])
        table = next((t for t in self.result.streams.values() if t.arn == stream_arn), None)
        if table is None:
            raise TemplateError(f"DynamoDB event {name}: stream {stream_arn} is not a table's stream in the template")
        try:
            filters = parse_filter_criteria(props.get("FilterCriteria"))
        except (FilterError, ValueError) as error:
            raise TemplateError(f"DynamoDB event {name}: FilterCriteria: {error}") from error
        return StreamEventSource(
            name=name,
            table_name=table.table_name,
            stream_arn=stream_arn,
            batch_size=int(props.get("BatchSize", 100)),
            starting_position=str(props.get("StartingPosition", "LATEST")),
            filters=filters,
            maximum_retry_attempts=int(props.get("MaximumRetryAttempts", -1)),
            maximum_batching_window_seconds=int(props.get("MaximumBatchingWindowInSeconds", 0)),
            enabled=bool(props.get("Enabled", True)),
        )

    def _sqs_event(self, name: str, props: dict[str, Any]) -> SqsEventSource:
        queue_arn = str(props["Queue"])
        queue_url = next(
            (
                r.ref
                for logical_id, r in self.result.resources.items()
                if self.result.resource_types.get(logical_id) == "AWS::SQS::Queue" and r.attributes["Arn"] == queue_arn
            ),
            None,
        )
        if queue_url is None:
            raise TemplateError(f"SQS event {name}: queue {queue_arn} is not in the template")
        return SqsEventSource(
            name=name,
            queue_url=queue_url,
            queue_arn=queue_arn,
            batch_size=int(props.get("BatchSize", 10)),
            report_batch_item_failures="ReportBatchItemFailures" in (props.get("FunctionResponseTypes") or []),
            maximum_batching_window_seconds=int(props.get("MaximumBatchingWindowInSeconds", 0)),
            enabled=bool(props.get("Enabled", True)),
        )


def provision(
    template: dict[str, Any],
    endpoint_url: str,
    region: str,
    stack_name: str = "aisre-local",
    parameters: dict[str, Any] | None = None,
    base_dir: Path | None = None,
) -> LocalStackResources:
    """Create the template's emulated resources in dependency order; read its functions.

    Tables, queues, topics, subscriptions, Lambda functions (whose invocations the emulator forwards to
    the in-process handlers) and state machines (DefinitionUri read relative to `base_dir`, the
    template's folder) are created through boto3 at `endpoint_url`; other
    resource types are recorded in `skipped` (their Ref/GetAtt resolve to stand-in names).
    Re-running on the same emulator returns the same resources.
    """
    return _Provisioner(template, endpoint_url, region, stack_name, parameters, base_dir).run()
