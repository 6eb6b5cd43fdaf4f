"""The local template loader and intrinsic resolver: short tags, Ref, GetAtt, Sub, Join, If and conditions."""

from __future__ import annotations

from pathlib import Path

import pytest

from aisre.local.provision import dependency_order
from aisre.local.template import (
    NO_VALUE,
    ResolvedResource,
    Resolver,
    TemplateError,
    load_template,
    load_template_text,
    parameter_values,
    pseudo_parameters,
)

TEMPLATE = """
AWSTemplateFormatVersion: 2010-09-09
Parameters:
  Stage: {Type: String, Default: dev}
  SecretsSource: {Type: String, Default: ""}
  Window: {Type: Number, Default: 10}
  Zones: {Type: CommaDelimitedList, Default: "a, b"}
Conditions:
  IsProd: !Equals [!Ref Stage, prod]
  NotProd: !Not [!Condition IsProd]
  UseSsm: !Equals [!Select [0, !Split [":", !Sub "${SecretsSource}:"]], ssm]
  ProdAndSsm: !And [!Condition IsProd, !Condition UseSsm]
  ProdOrSsm: !Or [!Condition IsProd, !Condition UseSsm]
Resources:
  Queue:
    Type: AWS::SQS::Queue
  Table:
    Type: AWS::DynamoDB::Table
    Properties:
      Env:
        QUEUE: !Ref Queue
        QUEUE_ARN: !GetAtt Queue.Arn
        QUEUE_ARN_LIST: !GetAtt [Queue, Arn]
        NAME: !Sub "${AWS::StackName}-${Stage}-table"
        WITH_VARS: !Sub ["${Prefix}/${Queue.QueueName}", {Prefix: !Ref Stage}]
        LITERAL: !Sub "${!NotAVariable}"
        JOINED: !Join ["-", [!Ref Stage, !Ref Window, x]]
        MODE: !If [IsProd, strict, relaxed]
        OPTIONAL: !If [IsProd, present, !Ref AWS::NoValue]
"""


def make_resolver(**parameters: str) -> Resolver:
    template = load_template_text(TEMPLATE)
    resolver = Resolver(
        template,
        parameter_values(template, parameters),
        pseudo_parameters("eu-west-1", "stack"),
    )
    resolver.resources["Queue"] = ResolvedResource(
        ref="https://queue/url", attributes={"Arn": "arn:aws:sqs:eu-west-1:123456789012:q", "QueueName": "q"}
    )
    return resolver


def test_short_tags_become_long_form() -> None:
    template = load_template_text(TEMPLATE)
    env = template["Resources"]["Table"]["Properties"]["Env"]
    assert env["QUEUE"] == {"Ref": "Queue"}
    assert env["QUEUE_ARN"] == {"Fn::GetAtt": ["Queue", "Arn"]}
    assert env["QUEUE_ARN_LIST"] == {"Fn::GetAtt": ["Queue", "Arn"]}
    assert env["WITH_VARS"] == {"Fn::Sub": ["${Prefix}/${Queue.QueueName}", {"Prefix": {"Ref": "Stage"}}]}
    assert template["Conditions"]["NotProd"] == {"Fn::Not": [{"Condition": "IsProd"}]}
    # An unquoted date stays a string, as CloudFormation reads it.
    assert template["AWSTemplateFormatVersion"] == "2010-09-09"


def test_resolves_ref_getatt_sub_join() -> None:
    resolver = make_resolver()
    env = resolver.resolve(load_template_text(TEMPLATE)["Resources"]["Table"]["Properties"]["Env"])
    assert env["QUEUE"] == "https://queue/url"
    assert env["QUEUE_ARN"] == env["QUEUE_ARN_LIST"] == "arn:aws:sqs:eu-west-1:123456789012:q"
    assert env["NAME"] == "stack-dev-table"
    assert env["WITH_VARS"] == "dev/q"
    assert env["LITERAL"] == "${NotAVariable}"
    assert env["JOINED"] == "dev-10-x"


def test_if_follows_conditions_and_novalue_removes_the_key() -> None:
    dev = make_resolver().resolve(load_template_text(TEMPLATE)["Resources"]["Table"]["Properties"]["Env"])
    assert dev["MODE"] == "relaxed"
    assert "OPTIONAL" not in dev
    prod = make_resolver(Stage="prod").resolve(load_template_text(TEMPLATE)["Resources"]["Table"]["Properties"]["Env"])
    assert prod["MODE"] == "strict"
    assert prod["OPTIONAL"] == "present"


@pytest.mark.parametrize(
    ("parameters", "expected"),
    [
        ({}, {"IsProd": False, "NotProd": True, "UseSsm": False, "ProdAndSsm": False, "ProdOrSsm": False}),
        (
            {"Stage": "prod"},
            {"IsProd": True, "NotProd": False, "UseSsm": False, "ProdAndSsm": False, "ProdOrSsm": True},
        ),
        (
            {"Stage": "prod", "SecretsSource": "ssm:/aisre/prod"},
            {"IsProd": True, "NotProd": False, "UseSsm": True, "ProdAndSsm": True, "ProdOrSsm": True},
        ),
    ],
)
def test_conditions(parameters: dict[str, str], expected: dict[str, bool]) -> None:
    resolver = make_resolver(**parameters)
    assert {name: resolver.condition(name) for name in expected} == expected


def test_pseudo_parameters_and_parameter_types() -> None:
    resolver = make_resolver()
    assert resolver.resolve({"Ref": "AWS::AccountId"}) == "123456789012"
    assert resolver.resolve({"Fn::Sub": "${AWS::Partition}:${AWS::Region}:${AWS::URLSuffix}"}) == (
        "aws:eu-west-1:amazonaws.com"
    )
    assert resolver.resolve({"Ref": "AWS::NoValue"}) is NO_VALUE
    assert resolver.resolve([1, {"Ref": "AWS::NoValue"}, 2]) == [1, 2]
    assert resolver.resolve({"Ref": "Window"}) == "10"  # Ref to a Number parameter is a string
    assert resolver.resolve({"Ref": "Zones"}) == ["a", "b"]
    assert resolver.resolve({"Fn::Select": [1, {"Fn::Split": [",", "x,y,z"]}]}) == "y"


def test_unresolvable_references_raise() -> None:
    resolver = make_resolver()
    with pytest.raises(TemplateError):
        resolver.resolve({"Ref": "Missing"})
    with pytest.raises(TemplateError):
        resolver.resolve({"Fn::GetAtt": ["Queue", "NoSuchAttribute"]})
    with pytest.raises(TemplateError):
        resolver.resolve({"Fn::ImportValue": "other-stack-output"})
    with pytest.raises(TemplateError):
        parameter_values(load_template_text(TEMPLATE), {"Unknown": "x"})


def test_dependency_order_puts_referenced_resources_first() -> None:
    resources = load_template_text(TEMPLATE)["Resources"]
    resources["Late"] = {"Type": "AWS::SNS::Topic", "DependsOn": "Table"}
    order = dependency_order({"Late": resources["Late"], "Table": resources["Table"], "Queue": resources["Queue"]})
    assert order.index("Queue") < order.index("Table") < order.index("Late")


def test_project_template_resolves_its_conditions() -> None:
    template = load_template(Path(__file__).resolve().parents[2] / "template.yaml")
    for source, sm, ssm in [
        ("", False, False),
        ("secretsmanager:arn:aws:secretsmanager:us-east-1:123456789012:secret:aisre-AbCdEf", True, False),
        ("ssm:/aisre/prod/secrets", False, True),
    ]:
        resolver = Resolver(
            template, parameter_values(template, {"SecretsSource": source}), pseudo_parameters("us-east-1", "s")
        )
        assert (resolver.condition("UseSecretsManager"), resolver.condition("UseSsm")) == (sm, ssm)


def test_project_template_secret_policies_name_the_secret() -> None:
    template = load_template(Path(__file__).resolve().parents[2] / "template.yaml")
    arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:aisre-AbCdEf"

    def policy_resources(source: str, logical_id: str) -> list[str]:
        resolver = Resolver(
            template, parameter_values(template, {"SecretsSource": source}), pseudo_parameters("us-east-1", "s")
        )
        statement = template["Resources"][logical_id]["Properties"]["PolicyDocument"]["Statement"][0]
        resources: list[str] = resolver.resolve(statement["Resource"])
        return resources

    assert policy_resources(f"secretsmanager:{arn}", "SecretsManagerReadPolicy") == [arn, f"{arn}-??????"]
    # One of the two SSM ARNs is the parameter's, whether or not its name starts with "/".
    assert "arn:aws:ssm:us-east-1:123456789012:parameter/aisre/prod" in policy_resources(
        "ssm:/aisre/prod", "SsmReadPolicy"
    )
    assert "arn:aws:ssm:us-east-1:123456789012:parameter/aisre-prod" in policy_resources(
        "ssm:aisre-prod", "SsmReadPolicy"
    )
