"""template.yaml's share of SPEC §1 (issue 14): no local stage in AWS, CORS origins per stage,
stage throttling, reserved capacity for the Stripe webhook and delivery, no trace capture.

Rules are CloudFormation's: their assertions are evaluated here with the parameter values a
deploy would pass (the intrinsic functions Rules allow: Ref, Fn::Not, Fn::Equals, Fn::Contains).
"""

from __future__ import annotations

import pytest

from infra.local.gateway import Cors
from infra.local.template import Template, load_yaml

RAW = load_yaml()


def _parameters(**overrides) -> dict:
    values = {name: spec.get("Default") for name, spec in RAW["Parameters"].items()}
    values.update(overrides)
    for name, spec in RAW["Parameters"].items():
        if spec.get("Type") == "CommaDelimitedList" and isinstance(values[name], str):
            values[name] = values[name].split(",")
    return values


def _evaluate(node, parameters: dict):
    if isinstance(node, dict):
        (name, argument), = node.items()
        if name == "Ref":
            return parameters[argument]
        arguments = [_evaluate(item, parameters) for item in argument]
        if name == "Fn::Not":
            return not arguments[0]
        if name == "Fn::Equals":
            return str(arguments[0]) == str(arguments[1])
        if name == "Fn::Contains":
            return str(arguments[1]) in [str(item) for item in arguments[0]]
        raise AssertionError(f"unexpected function in a rule: {name}")
    return node


def _stack_accepted(**overrides) -> bool:
    parameters = _parameters(**overrides)
    return all(_evaluate(assertion["Assert"], parameters)
               for rule in RAW["Rules"].values() for assertion in rule["Assertions"])


def test_a_stack_with_stage_local_is_refused_and_dev_or_prod_accepted():
    assert not _stack_accepted(Stage="local")
    assert _stack_accepted(Stage="dev") and _stack_accepted(Stage="prod")


def test_cors_origins_come_from_a_stage_parameter_and_never_star():
    # A deployed stage answers the origins of its parameter
    deployed = Template(parameters={"Stage": "prod", "CorsAllowOrigins": "https://app.khadamat.ma,https://pro.khadamat.ma"})
    assert deployed.http_api_cors["AllowOrigins"] == ["https://app.khadamat.ma", "https://pro.khadamat.ma"]
    # and "*" is refused at deploy time
    assert not _stack_accepted(Stage="prod", CorsAllowOrigins="https://app.khadamat.ma,*")


@pytest.mark.parametrize("origin, allowed", [
    ("http://localhost:5173", True), ("http://127.0.0.1:8080", True), ("http://localhost", True),
    ("https://localhost:5173", False), ("http://localhost.evil.ma:80", False), ("http://evil.ma", False),
    ("http://localhost:51x3", False), ("null", False),
])
def test_the_local_stage_allows_localhost_on_any_port_preflight_included(origin, allowed):
    cors = Cors(Template().http_api_cors)
    preflight = {"origin": origin, "access-control-request-method": "POST",
                 "access-control-request-headers": "authorization,content-type"}
    assert cors.is_preflight("OPTIONS", preflight)
    answered = dict(cors.preflight_headers(preflight))
    actual = dict(cors.apply({"origin": origin}, [("content-type", "application/json")]))
    expected = origin if allowed else None
    assert answered.get("access-control-allow-origin") == expected
    assert actual.get("access-control-allow-origin") == expected
    assert "*" not in (answered.get("access-control-allow-origin") or "")


def test_stage_wide_throttling_comes_from_parameters():
    api = RAW["Resources"]["HttpApi"]["Properties"]["DefaultRouteSettings"]
    assert api == {"ThrottlingRateLimit": {"Ref": "ThrottlingRateLimit"},
                   "ThrottlingBurstLimit": {"Ref": "ThrottlingBurstLimit"}}
    resolved = Template(parameters={"ThrottlingRateLimit": "50", "ThrottlingBurstLimit": "80"})
    settings = resolved.of_type("AWS::Serverless::HttpApi")["HttpApi"]["DefaultRouteSettings"]
    assert settings == {"ThrottlingRateLimit": "50", "ThrottlingBurstLimit": "80"}


@pytest.mark.parametrize("function, parameter", [
    ("StripeWebhookFunction", "StripeWebhookReservedConcurrency"),
    ("DeliverNotificationsFunction", "DeliverNotificationsReservedConcurrency"),
])
def test_reserved_concurrency_is_a_parameter_where_0_means_none_not_a_stopped_function(function, parameter):
    reserved = Template(parameters={parameter: "7"}).of_type("AWS::Serverless::Function")[function]
    none = Template(parameters={parameter: "0"}).of_type("AWS::Serverless::Function")[function]
    assert str(reserved["ReservedConcurrentExecutions"]) == "7"
    assert "ReservedConcurrentExecutions" not in none  # AWS::NoValue: 0 would throttle every call


def test_traces_capture_neither_responses_nor_errors_in_any_function():
    variables = RAW["Globals"]["Function"]["Environment"]["Variables"]
    assert variables["POWERTOOLS_TRACER_CAPTURE_RESPONSE"] == "false"
    assert variables["POWERTOOLS_TRACER_CAPTURE_ERROR"] == "false"
    for logical_id, resource in RAW["Resources"].items():  # no function turns it back on
        own = ((resource.get("Properties") or {}).get("Environment") or {}).get("Variables") or {}
        assert own.get("POWERTOOLS_TRACER_CAPTURE_RESPONSE", "false") == "false", logical_id
        assert own.get("POWERTOOLS_TRACER_CAPTURE_ERROR", "false") == "false", logical_id


# ---------------------------------------------------------------- client IP behind CloudFront (small)
def test_cloudfront_proves_itself_to_the_api_and_every_client_ip_reader_can_check_it():
    resources = RAW["Resources"]
    origin = next(o for o in resources["ConsoleDistribution"]["Properties"]["DistributionConfig"]["Origins"]
                  if o["Id"] == "HttpApi")
    header, = origin["OriginCustomHeaders"]
    assert header["HeaderName"] == "X-Khadamat-Origin-Verify"
    assert "resolve:secretsmanager:${CloudFrontOriginSecret}" in str(header["HeaderValue"])
    forwarded = resources["ConsoleApiOriginRequestPolicy"]["Properties"]["OriginRequestPolicyConfig"]
    assert "CloudFront-Viewer-Address" in forwarded["HeadersConfig"]["Headers"]
    # every function that reads the client IP (the /auth/* limit, consents) may read the secret
    readers = [name for name, resource in resources.items()
               if resource["Type"] == "AWS::Serverless::Function"
               and any(str(e.get("Properties", {}).get("Path", "")).startswith("/auth/")
                       for e in resource["Properties"].get("Events", {}).values())
               or name == "PutConsentsFunction"]
    assert len(readers) >= 9
    for name in readers:
        policies = resources[name]["Properties"]["Policies"]
        assert {"AWSSecretsManagerGetSecretValuePolicy": {"SecretArn": {"Ref": "CloudFrontOriginSecret"}}} \
            in policies, name
