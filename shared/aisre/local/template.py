"""Read a CloudFormation/SAM template and resolve its intrinsic functions for the local stack."""

from __future__ import annotations

import base64
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

# Moto's default account; the emulator builds every ARN with it.
LOCAL_ACCOUNT_ID = "123456789012"

INTRINSIC_NAMES = frozenset(
    {
        "Ref",
        "Condition",
        "Fn::GetAtt",
        "Fn::Sub",
        "Fn::Join",
        "Fn::If",
        "Fn::Select",
        "Fn::Split",
        "Fn::Equals",
        "Fn::Not",
        "Fn::And",
        "Fn::Or",
        "Fn::FindInMap",
        "Fn::ImportValue",
        "Fn::Base64",
        "Fn::GetAZs",
    }
)


class TemplateError(Exception):
    """The template uses something the local resolver cannot evaluate."""


class _NoValue:
    """AWS::NoValue: removes the property or list item it stands for."""

    _instance: _NoValue | None = None

    def __new__(cls) -> _NoValue:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "AWS::NoValue"


NO_VALUE = _NoValue()


# --- Loading --------------------------------------------------------------------------------------


class _CfnLoader(yaml.SafeLoader):
    """SafeLoader that knows the short-form intrinsic tags and keeps dates as strings."""


# CloudFormation treats unquoted dates (e.g. a version "2010-09-09") as strings, not datetimes.
_CfnLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _construct_node(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
    if isinstance(node, yaml.ScalarNode):
        return loader.construct_scalar(node)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node, deep=True)
    if isinstance(node, yaml.MappingNode):
        return loader.construct_mapping(node, deep=True)
    raise yaml.constructor.ConstructorError(None, None, f"unexpected node {node.id}", node.start_mark)


def _long_form(name: str) -> Callable[[yaml.SafeLoader, yaml.Node], dict[str, Any]]:
    def construct(loader: yaml.SafeLoader, node: yaml.Node) -> dict[str, Any]:
        return {name: _construct_node(loader, node)}

    return construct


def _construct_getatt(loader: yaml.SafeLoader, node: yaml.Node) -> dict[str, Any]:
    value = _construct_node(loader, node)
    if isinstance(value, str):
        # "Resource.Attr.Sub" names attribute "Attr.Sub" of "Resource": split on the first dot only.
        logical_id, _, attribute = value.partition(".")
        return {"Fn::GetAtt": [logical_id, attribute]}
    return {"Fn::GetAtt": value}


_CfnLoader.add_constructor("!Ref", _long_form("Ref"))
_CfnLoader.add_constructor("!Condition", _long_form("Condition"))
_CfnLoader.add_constructor("!GetAtt", _construct_getatt)
for _short in (
    "Sub",
    "Join",
    "If",
    "Select",
    "Split",
    "Equals",
    "Not",
    "And",
    "Or",
    "FindInMap",
    "ImportValue",
    "Base64",
    "GetAZs",
    "Cidr",
    "Length",
    "ToJsonString",
):
    _CfnLoader.add_constructor(f"!{_short}", _long_form(f"Fn::{_short}"))


def load_template_text(text: str) -> dict[str, Any]:
    """Parse template YAML (or JSON, a subset of YAML) with intrinsics in their long form."""
    data = yaml.load(text, Loader=_CfnLoader)
    if not isinstance(data, dict):
        raise TemplateError("a template is a mapping")
    return data


def load_template(path: Path | str) -> dict[str, Any]:
    """Read and parse the template file at `path`."""
    return load_template_text(Path(path).read_text(encoding="utf-8"))


# --- References (for dependency order) ------------------------------------------------------------

_SUB_VAR = re.compile(r"\$\{([^}]*)\}")


def referenced_names(value: Any) -> set[str]:
    """Names (resources, parameters, pseudo parameters) that `value` refers to via Ref, GetAtt or Sub."""
    found: set[str] = set()

    def walk(node: Any, sub_locals: frozenset[str] = frozenset()) -> None:
        if isinstance(node, dict):
            if len(node) == 1:
                ((key, arg),) = node.items()
                if key == "Ref" and isinstance(arg, str):
                    found.add(arg)
                    return
                if key == "Fn::GetAtt":
                    target = arg.split(".", 1)[0] if isinstance(arg, str) else arg[0]
                    if isinstance(target, str):
                        found.add(target)
                    return
                if key == "Fn::Sub":
                    text, variables = (arg, {}) if isinstance(arg, str) else (arg[0], arg[1])
                    walk(variables)
                    for name in _SUB_VAR.findall(text):
                        if not name.startswith("!"):
                            base = name.split(".", 1)[0]
                            if base not in variables:
                                found.add(base)
                    return
            for child in node.values():
                walk(child)
        elif isinstance(node, list):
            for child in node:
                walk(child)

    walk(value)
    return found


# --- Resolution -----------------------------------------------------------------------------------


@dataclass
class ResolvedResource:
    """What Ref and Fn::GetAtt return for one provisioned (or stood-in) resource."""

    ref: str
    attributes: dict[str, Any] = field(default_factory=dict)


def pseudo_parameters(region: str, stack_name: str, account_id: str = LOCAL_ACCOUNT_ID) -> dict[str, Any]:
    """The AWS:: pseudo parameters as CloudFormation would set them in `region`."""
    return {
        "AWS::Region": region,
        "AWS::AccountId": account_id,
        "AWS::StackName": stack_name,
        "AWS::StackId": f"arn:aws:cloudformation:{region}:{account_id}:stack/{stack_name}/local",
        "AWS::Partition": "aws",
        "AWS::URLSuffix": "amazonaws.com",
        "AWS::NotificationARNs": [],
        "AWS::NoValue": NO_VALUE,
    }


def parameter_values(template: Mapping[str, Any], overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Template parameters: the given value, else the default, as CloudFormation passes them (strings)."""
    values: dict[str, Any] = {}
    overrides = dict(overrides or {})
    for name, spec in (template.get("Parameters") or {}).items():
        if name in overrides:
            raw = overrides.pop(name)
        elif "Default" in spec:
            raw = spec["Default"]
        else:
            raise TemplateError(f"parameter {name} has no default and no value was given")
        kind = str(spec.get("Type", "String"))
        if kind == "CommaDelimitedList" or kind.startswith("List<"):
            values[name] = raw if isinstance(raw, list) else [s.strip() for s in str(raw).split(",")]
        else:
            # Ref to a Number parameter yields a string in CloudFormation too.
            values[name] = _as_text(raw)
    if overrides:
        raise TemplateError(f"unknown parameters: {', '.join(sorted(overrides))}")
    return values


def _as_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


class Resolver:
    """Evaluates intrinsic functions against parameters, pseudo parameters and provisioned resources.

    `resources` may grow while the stack is provisioned: resolve a resource's properties after the
    resources it refers to are in it.
    """

    def __init__(
        self,
        template: Mapping[str, Any],
        parameters: Mapping[str, Any],
        pseudo: Mapping[str, Any],
        resources: Mapping[str, ResolvedResource] | None = None,
    ) -> None:
        self.template = template
        self.parameters = dict(parameters)
        self.pseudo = dict(pseudo)
        self.resources: dict[str, ResolvedResource] = dict(resources or {})
        self._conditions: dict[str, bool] = {}
        self._evaluating: set[str] = set()

    # Conditions are evaluated lazily and memoised; a cycle is a template error.
    def condition(self, name: str) -> bool:
        if name in self._conditions:
            return self._conditions[name]
        definitions = self.template.get("Conditions") or {}
        if name not in definitions:
            raise TemplateError(f"unknown condition {name}")
        if name in self._evaluating:
            raise TemplateError(f"condition {name} refers to itself")
        self._evaluating.add(name)
        try:
            result = self.resolve(definitions[name])
        finally:
            self._evaluating.discard(name)
        if not isinstance(result, bool):
            raise TemplateError(f"condition {name} is not a boolean: {result!r}")
        self._conditions[name] = result
        return result

    def resource_enabled(self, logical_id: str) -> bool:
        """Whether the resource's Condition (if any) holds."""
        spec = (self.template.get("Resources") or {}).get(logical_id) or {}
        name = spec.get("Condition")
        return True if name is None else self.condition(name)

    def resolve(self, value: Any) -> Any:
        """`value` with every intrinsic function evaluated; AWS::NoValue entries removed."""
        if isinstance(value, dict):
            if len(value) == 1:
                ((key, arg),) = value.items()
                if key in INTRINSIC_NAMES:
                    return self._intrinsic(key, arg)
            out: dict[str, Any] = {}
            for key, item in value.items():
                resolved = self.resolve(item)
                if resolved is not NO_VALUE:
                    out[key] = resolved
            return out
        if isinstance(value, list):
            return [r for r in (self.resolve(item) for item in value) if r is not NO_VALUE]
        return value

    def _intrinsic(self, name: str, arg: Any) -> Any:
        handler = getattr(self, "_fn_" + name.removeprefix("Fn::").lower(), None)
        if handler is None:
            raise TemplateError(f"{name} is not supported locally")
        return handler(arg)

    def _fn_ref(self, name: str) -> Any:
        if name in self.parameters:
            return self.parameters[name]
        if name in self.pseudo:
            return self.pseudo[name]
        if name in self.resources:
            return self.resources[name].ref
        raise TemplateError(f"Ref {name}: not a parameter, pseudo parameter or provisioned resource")

    def _fn_condition(self, name: str) -> bool:
        return self.condition(name)

    def _fn_getatt(self, arg: Any) -> Any:
        if isinstance(arg, str):
            logical_id, _, attribute = arg.partition(".")
        else:
            logical_id, attribute = arg[0], self.resolve(arg[1])
        resource = self.resources.get(logical_id)
        if resource is None:
            raise TemplateError(f"GetAtt {logical_id}.{attribute}: resource not provisioned")
        if attribute not in resource.attributes:
            raise TemplateError(f"GetAtt {logical_id}.{attribute}: attribute unknown locally")
        return resource.attributes[attribute]

    def _fn_sub(self, arg: Any) -> str:
        if isinstance(arg, str):
            text, variables = arg, {}
        else:
            text, raw_vars = arg
            variables = {k: self.resolve(v) for k, v in raw_vars.items()}

        def replace(match: re.Match[str]) -> str:
            name = match.group(1)
            if name.startswith("!"):
                return "${" + name[1:] + "}"  # "${!Literal}" writes "${Literal}"
            if name in variables:
                return _as_text(variables[name])
            if "." in name and name.split(".", 1)[0] in self.resources:
                return _as_text(self._fn_getatt(name))
            return _as_text(self._fn_ref(name))

        return _SUB_VAR.sub(replace, text)

    def _fn_join(self, arg: Any) -> str:
        delimiter, items = arg
        values = self.resolve(items)
        if not isinstance(values, list):
            raise TemplateError("Fn::Join needs a list")
        return str(delimiter).join(_as_text(v) for v in values)

    def _fn_if(self, arg: Any) -> Any:
        name, when_true, when_false = arg
        return self.resolve(when_true if self.condition(name) else when_false)

    def _fn_select(self, arg: Any) -> Any:
        index, items = self.resolve(arg[0]), self.resolve(arg[1])
        return items[int(index)]

    def _fn_split(self, arg: Any) -> list[str]:
        delimiter, text = arg[0], self.resolve(arg[1])
        return str(text).split(str(delimiter))

    def _fn_equals(self, arg: Any) -> bool:
        left, right = (self.resolve(v) for v in arg)
        return bool(_as_text(left) == _as_text(right))

    def _fn_not(self, arg: Any) -> bool:
        return not self._truth(arg[0])

    def _fn_and(self, arg: Any) -> bool:
        return all(self._truth(item) for item in arg)

    def _fn_or(self, arg: Any) -> bool:
        return any(self._truth(item) for item in arg)

    def _truth(self, item: Any) -> bool:
        value = self.resolve(item)
        if not isinstance(value, bool):
            raise TemplateError(f"not a condition: {item!r}")
        return value

    def _fn_findinmap(self, arg: Any) -> Any:
        map_name, first, second = (self.resolve(v) for v in arg[:3])
        try:
            return self.template["Mappings"][map_name][first][second]
        except KeyError as exc:
            raise TemplateError(f"Fn::FindInMap {map_name}/{first}/{second}: not found") from exc

    def _fn_base64(self, arg: Any) -> str:
        return base64.b64encode(str(self.resolve(arg)).encode()).decode()

    def _fn_getazs(self, arg: Any) -> list[str]:
        region = self.resolve(arg) or self.pseudo["AWS::Region"]
        return [f"{region}{zone}" for zone in "abc"]

    def _fn_importvalue(self, arg: Any) -> Any:
        raise TemplateError(f"Fn::ImportValue {self.resolve(arg)!r}: no other stacks exist locally")
