"""The template loader, intrinsic resolver, routes and schedules (no AWS, no network)."""

from pathlib import Path

import pytest

from infra.local.gateway import RouteTable, match_template
from infra.local.template import (
    ACCOUNT_ID, REGION, Resolver, Route, Template, TemplateError, load_yaml, merge_sam_globals,
    physical_name, schedule_expression_error,
)

FIXTURE_TEMPLATE = Path(__file__).parent / "fixtures" / "template.yaml"


def env_of(template: Template, logical_id: str) -> dict:
    return template.function(logical_id).environment


def test_short_form_tags_become_long_form():
    raw = load_yaml(FIXTURE_TEMPLATE)
    env = raw["Resources"]["EchoFunction"]["Properties"]["Environment"]["Variables"]
    assert env["TABLE_ARN"] == {"Fn::GetAtt": ["Table", "Arn"]}
    assert env["PICKED"] == {"Fn::If": ["IsLocal", "yes-local", "not-local"]}
    assert raw["Conditions"]["NotProd"] == {"Fn::Not": [{"Condition": "IsProd"}]}
    assert raw["Globals"]["Function"]["Environment"]["Variables"]["STAGE"] == {"Ref": "Stage"}


def test_stage_is_local_and_other_parameters_default(fixture_template):
    env = env_of(fixture_template, "EchoFunction")
    assert env["STAGE"] == "local"
    assert env["REGION_AND_STAGE"] == f"{REGION}/{ACCOUNT_ID}/local/sfx"


def test_refs_and_getatts_of_resources(fixture_template):
    env = env_of(fixture_template, "EchoFunction")
    assert env["TABLE_NAME"] == physical_name("Table")
    assert env["TABLE_ARN"] == f"arn:aws:dynamodb:{REGION}:{ACCOUNT_ID}:table/{physical_name('Table')}"
    assert env["STREAM"].startswith(env["TABLE_ARN"] + "/stream/")
    assert env["BUCKET_ARN_SUB"] == f"arn:aws:s3:::{physical_name('Bucket')}/*"


def test_conditions_if_join_select_split_and_literal_sub(fixture_template):
    env = env_of(fixture_template, "EchoFunction")
    assert env["PICKED"] == "yes-local"
    assert env["AND_OR"] == "both"
    assert env["JOINED"] == "a-local-y"
    assert env["SPLIT_PICK"] == "r"
    assert env["LITERAL"] == "${NotAVariable}"
    assert "DROPPED" not in env  # AWS::NoValue removes the key


def test_other_stage_flips_conditions():
    prod = Template(FIXTURE_TEMPLATE, parameters={"Stage": "prod"})
    assert "ProdOnlyBucket" in prod.buckets
    assert "ProdOnlyFunction" in {f.logical_id for f in prod.functions}
    assert env_of(prod, "EchoFunction")["DROPPED"] == "kept"


def test_resources_with_false_condition_are_skipped(fixture_template):
    assert set(fixture_template.buckets) == {"Bucket"}
    assert {f.logical_id for f in fixture_template.functions} == {"EchoFunction", "JobFunction"}
    assert all(r.path != "/prod-only" for r in fixture_template.routes)


def test_globals_merge_function_wins_and_lists_concatenate(fixture_template):
    echo = fixture_template.function("EchoFunction")
    assert echo.environment["OVERRIDDEN"] == "from-function"
    assert echo.memory_mb == 256  # FindInMap on the local stage
    assert echo.timeout_s == 7
    assert echo.handler == "app.lambda_handler"
    assert echo.code_dir == FIXTURE_TEMPLATE.parent / "functions" / "echo"
    assert echo.layers == [f"arn:aws:lambda:{REGION}:{ACCOUNT_ID}:layer:{physical_name('Layer')}"]
    job = fixture_template.function("JobFunction")
    assert job.environment["OVERRIDDEN"] == "from-globals"
    assert job.handler_file == FIXTURE_TEMPLATE.parent / "functions" / "jobs" / "app.py"
    assert job.handler_function_name == "run_job"
    assert job.timeout_s == 60


def test_merge_sam_globals_rules():
    merged = merge_sam_globals({"A": {"x": 1, "y": 1}, "L": [1], "S": "g"},
                               {"A": {"y": 2}, "L": [2], "S": "f"})
    assert merged == {"A": {"x": 1, "y": 2}, "L": [1, 2], "S": "f"}


def test_routes(fixture_template):
    keys = {r.route_key: r.function_id for r in fixture_template.routes}
    assert keys["GET /items/{id}"] == "EchoFunction"
    assert keys["ANY /files/{proxy+}"] == "EchoFunction"
    assert "POST /items" in keys


def test_schedules(fixture_template):
    schedules = {s.event_name: s for s in fixture_template.schedules}
    assert schedules["Every5"].expression == "rate(5 minutes)"
    assert schedules["Every5"].event_type == "Schedule"
    assert schedules["Nightly"].expression == "cron(0 3 * * ? *)"
    assert schedules["Nightly"].input == '{"mode": "nightly"}'


def test_tables_buckets_and_cors(fixture_template):
    assert fixture_template.tables["Table"]["TimeToLiveSpecification"]["AttributeName"] == "expiresAt"
    assert fixture_template.buckets["Bucket"]["VersioningConfiguration"] == {"Status": "Enabled"}
    assert fixture_template.http_api_cors["AllowOrigins"] == ["https://app.example.ma"]


def test_unknown_ref_is_an_error():
    resolver = Resolver({"Resources": {}})
    with pytest.raises(TemplateError):
        resolver.resolve({"Ref": "Nope"})


def test_physical_names_are_valid_bucket_names():
    name = physical_name("KycBucket")
    assert name == name.lower() and 3 <= len(name) <= 63 and "_" not in name


@pytest.mark.parametrize("expression, ok", [
    ("rate(5 minutes)", True), ("rate(1 hour)", True), ("rate(1 day)", True),
    ("rate(5 minute)", False), ("rate(1 hours)", False), ("rate(0 minutes)", False),
    ("cron(0 3 * * ? *)", True), ("cron(0/5 * ? * MON-FRI *)", True),
    ("cron(0 3 * * *)", False), ("cron(0 3 * * * *)", False), ("every 5 minutes", False),
])
def test_schedule_expression_validation(expression, ok):
    assert (schedule_expression_error(expression) is None) is ok


def test_real_template_loads_and_its_schedules_are_valid():
    template = Template()
    assert template.functions, "template.yaml defines no function"
    for schedule in template.schedules:
        assert schedule_expression_error(schedule.expression) is None, schedule
    for function in template.functions:
        assert function.environment.get("STAGE") == "local"


def test_real_template_route_keys_are_unique():
    keys = [r.route_key for r in Template().routes]
    assert len(keys) == len(set(keys))


# ----------------------------------------------------------------- route matching

ROUTES = [
    Route("GET", "/pros/{proId}", "ProGet"),
    Route("GET", "/pros/me", "ProMe"),
    Route("ANY", "/pros/{proId}", "ProAny"),
    Route("GET", "/pros/{proId}/reviews", "Reviews"),
    Route("GET", "/pros/{proxy+}", "ProGreedy"),
    Route("POST", "/bookings", "BookingCreate"),
    Route("ANY", "$default", "Fallback"),
]


@pytest.mark.parametrize("method, path, function_id, params", [
    ("GET", "/pros/me", "ProMe", {}),
    ("GET", "/pros/p1", "ProGet", {"proId": "p1"}),
    ("DELETE", "/pros/p1", "ProAny", {"proId": "p1"}),
    ("GET", "/pros/p%201", "ProGet", {"proId": "p 1"}),
    ("GET", "/pros/p1/reviews", "Reviews", {"proId": "p1"}),
    ("GET", "/pros/p1/other/deep", "ProGreedy", {"proxy": "p1/other/deep"}),
    ("POST", "/bookings", "BookingCreate", {}),
    ("GET", "/bookings", "Fallback", {}),
    ("GET", "/nowhere", "Fallback", {}),
])
def test_route_selection(method, path, function_id, params):
    route, found = RouteTable(ROUTES).match(method, path)
    assert (route.function_id, found) == (function_id, params)


def test_no_default_route_means_no_match():
    table = RouteTable([r for r in ROUTES if r.path != "$default"])
    assert table.match("GET", "/nowhere") is None
    assert table.match("PUT", "/bookings") is None


@pytest.mark.parametrize("template_path, path, expected", [
    ("/a/{x}", "/a/", None),
    ("/a/{x}", "/a/1/2", None),
    ("/a/{proxy+}", "/a", None),
    ("/a/{proxy+}", "/a/", None),
    ("/a/{proxy+}", "/a/b", {"proxy": "b"}),
    ("/a/{x}/c/{y}", "/a/1/c/2", {"x": "1", "y": "2"}),
])
def test_match_template(template_path, path, expected):
    assert match_template(template_path, path) == expected
