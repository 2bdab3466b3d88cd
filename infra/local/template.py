"""Read template.yaml the way CloudFormation + SAM would for stage `local`.

The template is the single source of routes, functions, schedules, tables and
buckets; everything in infra/local derives from what this module returns.
"""

from __future__ import annotations

import copy
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

REGION = "eu-west-3"
ACCOUNT_ID = "123456789012"
STACK_NAME = "khadamat-local"
LOCAL_STAGE = "local"
REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_TEMPLATE = Path(os.environ.get("KHADAMAT_TEMPLATE") or REPO_ROOT / "template.yaml")

_SHORT_TAGS = (
    "Ref", "Condition", "GetAtt", "Sub", "Join", "Select", "Split", "If", "Equals",
    "Not", "And", "Or", "FindInMap", "GetAZs", "Base64", "ImportValue", "Cidr",
    "Transform", "ToJsonString", "Length",
)
_NO_VALUE = object()  # AWS::NoValue: removes the key or list item holding it


class TemplateError(ValueError):
    """The template uses something this local resolver cannot honour."""


# ----------------------------------------------------------------- YAML loading


class CfnLoader(yaml.SafeLoader):
    """SafeLoader that turns CloudFormation short-form tags into long-form dicts."""


def _construct_short_tag(loader: CfnLoader, tag_suffix: str, node: yaml.Node) -> dict:
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    name = tag_suffix
    if name in ("Ref", "Condition"):
        return {name: value}
    if name == "GetAtt" and isinstance(value, str):
        value = value.split(".", 1)
    return {f"Fn::{name}": value}


CfnLoader.add_multi_constructor("!", _construct_short_tag)


def load_yaml(path: Path | str = DEFAULT_TEMPLATE) -> dict:
    with open(path, encoding="utf-8") as handle:
        return yaml.load(handle, Loader=CfnLoader)  # noqa: S506 - SafeLoader subclass


# ----------------------------------------------------------------- names


def physical_name(logical_id: str) -> str:
    """Local physical name of a resource: valid as a table, bucket, queue or function name."""
    return f"{logical_id.lower()}-{LOCAL_STAGE}"


_ARN_SERVICE = {
    "AWS::DynamoDB::Table": ("dynamodb", "table/"),
    "AWS::S3::Bucket": ("s3", ""),
    "AWS::Serverless::Function": ("lambda", "function:"),
    "AWS::Lambda::Function": ("lambda", "function:"),
    "AWS::SQS::Queue": ("sqs", ""),
    "AWS::SNS::Topic": ("sns", ""),
    "AWS::Events::EventBus": ("events", "event-bus/"),
    "AWS::Events::Rule": ("events", "rule/"),
    "AWS::Serverless::LayerVersion": ("lambda", "layer:"),
    "AWS::SecretsManager::Secret": ("secretsmanager", "secret:"),
    "AWS::IAM::Role": ("iam", "role/"),
}


def fake_arn(logical_id: str, resource_type: str) -> str:
    service, prefix = _ARN_SERVICE.get(resource_type, ("cloudformation", "resource/"))
    name = physical_name(logical_id)
    if service == "s3":
        return f"arn:aws:s3:::{name}"
    if service == "iam":
        return f"arn:aws:iam::{ACCOUNT_ID}:{prefix}{name}"
    return f"arn:aws:{service}:{REGION}:{ACCOUNT_ID}:{prefix}{name}"


def _ref_value(logical_id: str, resource_type: str) -> str:
    if resource_type in ("AWS::Serverless::LayerVersion", "AWS::SNS::Topic",
                         "AWS::SecretsManager::Secret"):
        return fake_arn(logical_id, resource_type)
    if resource_type == "AWS::SQS::Queue":
        return f"https://sqs.{REGION}.amazonaws.com/{ACCOUNT_ID}/{physical_name(logical_id)}"
    return physical_name(logical_id)


def _get_att_value(logical_id: str, resource_type: str, attribute: str) -> str:
    arn = fake_arn(logical_id, resource_type)
    if attribute == "Arn":
        return arn
    if attribute == "StreamArn":
        return f"{arn}/stream/2026-01-01T00:00:00.000"
    if attribute in ("DomainName", "RegionalDomainName"):
        return f"{physical_name(logical_id)}.s3.{REGION}.amazonaws.com"
    if attribute in ("QueueName", "TopicName", "Name"):
        return physical_name(logical_id)
    if attribute == "QueueUrl":
        return _ref_value(logical_id, "AWS::SQS::Queue")
    return f"{physical_name(logical_id)}.{attribute}"


# ----------------------------------------------------------------- intrinsic resolution


class Resolver:
    """Evaluates intrinsic functions against parameters, conditions and resources."""

    def __init__(self, raw: dict, parameter_overrides: dict[str, str] | None = None):
        self.raw = raw
        self.resource_types = {
            lid: res.get("Type", "") for lid, res in (raw.get("Resources") or {}).items()
        }
        self.parameters = self._parameter_values(parameter_overrides or {})
        self.conditions: dict[str, bool] = {}
        self._condition_defs = raw.get("Conditions") or {}
        for name in self._condition_defs:
            self.condition(name)

    def _parameter_values(self, overrides: dict[str, str]) -> dict[str, Any]:
        values = {
            "AWS::Region": REGION, "AWS::AccountId": ACCOUNT_ID, "AWS::StackName": STACK_NAME,
            "AWS::StackId": f"arn:aws:cloudformation:{REGION}:{ACCOUNT_ID}:stack/{STACK_NAME}/local",
            "AWS::Partition": "aws", "AWS::URLSuffix": "amazonaws.com",
            "AWS::NotificationARNs": [], "AWS::NoValue": _NO_VALUE,
        }
        for name, spec in (self.raw.get("Parameters") or {}).items():
            if name in overrides:
                values[name] = overrides[name]
            elif "Default" in spec:
                values[name] = spec["Default"]
            else:
                raise TemplateError(f"parameter {name} has no Default and no override")
            if spec.get("Type") == "CommaDelimitedList" and isinstance(values[name], str):
                values[name] = values[name].split(",")
        return values

    def condition(self, name: str) -> bool:
        if name not in self.conditions:
            if name not in self._condition_defs:
                raise TemplateError(f"unknown condition {name}")
            self.conditions[name] = bool(self.resolve(self._condition_defs[name]))
        return self.conditions[name]

    def resolve(self, node: Any) -> Any:
        if isinstance(node, list):
            items = (self.resolve(item) for item in node)
            return [item for item in items if item is not _NO_VALUE]
        if not isinstance(node, dict):
            return node
        if len(node) == 1:
            (key, arg), = node.items()
            handler = self._intrinsics().get(key)
            plain_key = key in ("Ref", "Condition") and not isinstance(arg, str)
            if handler is not None and not plain_key:
                return handler(arg)
        resolved = {key: self.resolve(value) for key, value in node.items()}
        return {key: value for key, value in resolved.items() if value is not _NO_VALUE}

    def _intrinsics(self) -> dict:
        return {
            "Ref": self._ref, "Condition": self.condition, "Fn::GetAtt": self._get_att,
            "Fn::Sub": self._sub, "Fn::Join": self._join, "Fn::Select": self._select,
            "Fn::Split": self._split, "Fn::If": self._if, "Fn::Equals": self._equals,
            "Fn::Not": lambda a: not self.resolve(a[0]),
            "Fn::And": lambda a: all(self.resolve(x) for x in a),
            "Fn::Or": lambda a: any(self.resolve(x) for x in a),
            "Fn::FindInMap": self._find_in_map, "Fn::GetAZs": lambda _a: [f"{REGION}{z}" for z in "abc"],
            "Fn::Base64": self._base64, "Fn::ToJsonString": self._to_json_string,
            "Fn::Length": lambda a: len(self.resolve(a)),
        }

    def _ref(self, name: str) -> Any:
        if name in self.parameters:
            return self.parameters[name]
        if name in self.resource_types:
            return _ref_value(name, self.resource_types[name])
        raise TemplateError(f"!Ref to unknown name {name}")

    def _get_att(self, arg: Any) -> str:
        logical_id, attribute = self.resolve(arg)
        if logical_id not in self.resource_types:
            raise TemplateError(f"!GetAtt of unknown resource {logical_id}")
        return _get_att_value(logical_id, self.resource_types[logical_id], attribute)

    def _sub(self, arg: Any) -> str:
        text, variables = (arg, {}) if isinstance(arg, str) else (arg[0], self.resolve(arg[1]))

        def replace(match: re.Match) -> str:
            expr = match.group(1)
            if expr.startswith("!"):
                return "${" + expr[1:] + "}"
            if expr in variables:
                return str(variables[expr])
            if "." in expr and expr.split(".", 1)[0] in self.resource_types:
                return str(self._get_att(expr.split(".", 1)))
            return str(self._ref(expr))

        return re.sub(r"\$\{([^}]+)\}", replace, text)

    def _join(self, arg: list) -> str:
        delimiter, values = arg
        return delimiter.join(str(v) for v in self.resolve(values))

    def _select(self, arg: list) -> Any:
        index, values = self.resolve(arg)
        return values[int(index)]

    def _split(self, arg: list) -> list:
        delimiter, text = self.resolve(arg)
        return text.split(delimiter)

    def _if(self, arg: list) -> Any:
        name, when_true, when_false = arg
        return self.resolve(when_true if self.condition(name) else when_false)

    def _equals(self, arg: list) -> bool:
        left, right = self.resolve(arg)
        return str(left) == str(right)

    def _find_in_map(self, arg: list) -> Any:
        map_name, top, second = self.resolve(arg)
        return self.raw["Mappings"][map_name][top][second]

    def _base64(self, arg: Any) -> str:
        import base64
        return base64.b64encode(str(self.resolve(arg)).encode()).decode()

    def _to_json_string(self, arg: Any) -> str:
        import json
        return json.dumps(self.resolve(arg), separators=(",", ":"))


# ----------------------------------------------------------------- SAM globals


def merge_sam_globals(global_props: dict, own_props: dict) -> dict:
    """SAM rules: maps merge (resource wins), lists concatenate (globals first), scalars: resource wins."""
    merged = copy.deepcopy(global_props)
    for key, value in own_props.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict) and not _is_intrinsic(value):
            merged[key] = merge_sam_globals(merged[key], value)
        elif isinstance(value, list) and isinstance(merged.get(key), list):
            merged[key] = merged[key] + copy.deepcopy(value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def _is_intrinsic(value: dict) -> bool:
    if len(value) != 1:
        return False
    key = next(iter(value))
    return key in ("Ref", "Condition") or str(key).startswith("Fn::")


_GLOBALS_SECTION = {"AWS::Serverless::Function": "Function", "AWS::Serverless::HttpApi": "HttpApi",
                    "AWS::Serverless::Api": "Api", "AWS::Serverless::SimpleTable": "SimpleTable"}


# ----------------------------------------------------------------- model


@dataclass(frozen=True)
class Route:
    method: str          # upper case, "ANY" for any method
    path: str            # "/pros/{proId}", "/files/{proxy+}" or "$default"
    function_id: str

    @property
    def route_key(self) -> str:
        return "$default" if self.path == "$default" else f"{self.method} {self.path}"


@dataclass(frozen=True)
class Schedule:
    function_id: str
    event_name: str
    event_type: str      # "Schedule" or "ScheduleV2"
    expression: str
    input: str | None
    enabled: bool


@dataclass
class Function:
    logical_id: str
    code_dir: Path
    handler: str
    environment: dict[str, str]
    events: dict[str, dict]
    memory_mb: int = 128
    timeout_s: int = 3
    layers: list = field(default_factory=list)

    @property
    def handler_file(self) -> Path:
        module, _func = self.handler.rsplit(".", 1)
        return self.code_dir / (module.replace(".", "/") + ".py")

    @property
    def handler_function_name(self) -> str:
        return self.handler.rsplit(".", 1)[1]

    @property
    def physical_name(self) -> str:
        return physical_name(self.logical_id)

    @property
    def arn(self) -> str:
        return fake_arn(self.logical_id, "AWS::Serverless::Function")


class Template:
    """template.yaml resolved for stage `local`: only resources whose Condition holds."""

    def __init__(self, path: Path | str = DEFAULT_TEMPLATE, parameters: dict[str, str] | None = None):
        self.path = Path(path).resolve()
        self.base_dir = self.path.parent
        self.raw = load_yaml(self.path)
        overrides = {"Stage": LOCAL_STAGE, **(parameters or {})}
        declared = self.raw.get("Parameters") or {}
        self.resolver = Resolver(self.raw, {k: v for k, v in overrides.items() if k in declared})
        self.resources = self._resolve_resources()

    def _resolve_resources(self) -> dict[str, dict]:
        globals_ = self.raw.get("Globals") or {}
        resolved = {}
        for logical_id, resource in (self.raw.get("Resources") or {}).items():
            condition = resource.get("Condition")
            if condition and not self.resolver.condition(condition):
                continue
            props = resource.get("Properties") or {}
            section = _GLOBALS_SECTION.get(resource.get("Type", ""))
            if section and section in globals_:
                props = merge_sam_globals(globals_[section], props)
            resolved[logical_id] = {**resource, "Properties": self.resolver.resolve(props)}
        return resolved

    def of_type(self, *types: str) -> dict[str, dict]:
        return {lid: r["Properties"] for lid, r in self.resources.items() if r.get("Type") in types}

    @property
    def functions(self) -> list[Function]:
        return [self._function(lid, props)
                for lid, props in self.of_type("AWS::Serverless::Function").items()]

    def function(self, logical_id: str) -> Function:
        for function in self.functions:
            if function.logical_id == logical_id:
                return function
        raise KeyError(f"no function {logical_id} in {self.path.name} for stage local")

    def _function(self, logical_id: str, props: dict) -> Function:
        code_uri = props.get("CodeUri")
        if not isinstance(code_uri, str):
            raise TemplateError(f"{logical_id}: CodeUri must be a local directory")
        env = (props.get("Environment") or {}).get("Variables") or {}
        return Function(
            logical_id=logical_id,
            code_dir=(self.base_dir / code_uri).resolve(),
            handler=props.get("Handler", "app.lambda_handler"),
            environment={k: _env_string(v) for k, v in env.items()},
            events=props.get("Events") or {},
            memory_mb=int(props.get("MemorySize", 128)),
            timeout_s=int(props.get("Timeout", 3)),
            layers=props.get("Layers") or [],
        )

    @property
    def routes(self) -> list[Route]:
        routes = []
        for function in self.functions:
            for event in function.events.values():
                if event.get("Type") != "HttpApi":
                    continue
                props = event.get("Properties") or {}
                method = str(props.get("Method", "ANY")).upper()
                if method == "X-AMAZON-APIGATEWAY-ANY-METHOD":
                    method = "ANY"
                routes.append(Route(method, props.get("Path", "$default"), function.logical_id))
        return routes

    @property
    def schedules(self) -> list[Schedule]:
        found = []
        for function in self.functions:
            for name, event in function.events.items():
                kind = event.get("Type")
                if kind not in ("Schedule", "ScheduleV2"):
                    continue
                props = event.get("Properties") or {}
                expression = props.get("Schedule") if kind == "Schedule" else props.get("ScheduleExpression")
                enabled = props.get("Enabled", True) and props.get("State", "ENABLED") == "ENABLED"
                found.append(Schedule(function.logical_id, name, kind, expression,
                                      props.get("Input"), bool(enabled)))
        return found

    @property
    def tables(self) -> dict[str, dict]:
        return self.of_type("AWS::DynamoDB::Table")

    @property
    def buckets(self) -> dict[str, dict]:
        return self.of_type("AWS::S3::Bucket")

    @property
    def http_api_cors(self) -> dict | None:
        """CorsConfiguration of the (single) HTTP API, or None when CORS is off."""
        for props in self.of_type("AWS::Serverless::HttpApi").values():
            cors = props.get("CorsConfiguration")
            if cors:
                return cors if isinstance(cors, dict) else {"AllowOrigins": ["*"]}
        return None

    @property
    def layer_dirs(self) -> list[Path]:
        layers = self.of_type("AWS::Serverless::LayerVersion")
        return [(self.base_dir / p["ContentUri"]).resolve()
                for p in layers.values() if isinstance(p.get("ContentUri"), str)]

    def merged_environment(self) -> tuple[dict[str, str], list[str]]:
        """Env vars of all functions merged (first wins) and the keys whose values conflict."""
        merged: dict[str, str] = {}
        conflicts: list[str] = []
        for function in self.functions:
            for key, value in function.environment.items():
                if key in merged and merged[key] != value and key not in conflicts:
                    conflicts.append(key)
                merged.setdefault(key, value)
        return merged, conflicts


def _env_string(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


# ----------------------------------------------------------------- schedule expressions

_RATE = re.compile(r"^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$")
_CRON_FIELD = re.compile(r"^[0-9A-Za-z*?/,\-#L W]+$")


def schedule_expression_error(expression: str) -> str | None:
    """Why EventBridge would reject the expression, or None (moto and cfn-lint accept anything)."""
    if not isinstance(expression, str):
        return "not a string"
    rate = _RATE.match(expression)
    if rate:
        value, unit = int(rate.group(1)), rate.group(2)
        if value <= 0:
            return "rate value must be positive"
        if (value == 1) != (not unit.endswith("s")):
            return "rate unit must be singular for 1 and plural otherwise"
        return None
    if expression.startswith("cron(") and expression.endswith(")"):
        fields = expression[5:-1].split(" ")
        if len(fields) != 6 or not all(_CRON_FIELD.match(f) for f in fields):
            return "cron needs 6 space-separated fields"
        day_of_month, day_of_week = fields[2], fields[4]
        if (day_of_month == "?") == (day_of_week == "?"):
            return "exactly one of day-of-month and day-of-week must be '?'"
        return None
    if expression.startswith("at(") and expression.endswith(")"):
        return None if re.match(r"^at\(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\)$", expression) else "bad at()"
    return "must be rate(...), cron(...) or at(...)"
