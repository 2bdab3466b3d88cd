"""template.yaml's operations block (issue 21): alarms cover every deployed function and every
dead-letter queue, canaries stay on the booking and payment functions, and the stack stays
well under CloudFormation's 500 resources counted after the SAM transform (TRAPS.md)."""

from __future__ import annotations

import json
import subprocess

from infra.local.template import REPO_ROOT, Template

CLOUDFORMATION_LIMIT = 500
# Free resources the template must keep after the transform: ~15 more functions (3 resources
# each: function, role, permission). Wave 2 adds ~40: past this line, split the stack into
# nested applications before CloudFormation refuses the deploy (docs/operations.md).
HEADROOM = 50
CANARY_FUNCTIONS = {"CreateBookingFunction", "ConfirmBookingFunction", "DeclineBookingFunction",
                    "CancelBookingFunction", "CompleteBookingFunction", "ReviewBookingFunction",
                    "SubscriptionCheckoutFunction", "BoostCheckoutFunction",
                    "CancelSubscriptionFunction", "StripeWebhookFunction"}

DEPLOYED = Template(parameters={"Stage": "prod"})


def _raw_resources(kind: str) -> dict[str, dict]:
    return {lid: r for lid, r in DEPLOYED.raw["Resources"].items() if r["Type"] == kind
            and lid in DEPLOYED.resources}


def _alarmed(metric_name: str) -> list[str]:
    """Functions named in the alarms on a Lambda metric (one entry per alarm that names it)."""
    names = []
    for alarm in _raw_resources("AWS::CloudWatch::Alarm").values():
        for query in alarm["Properties"].get("Metrics", []):
            metric = (query.get("MetricStat") or {}).get("Metric") or {}
            if metric.get("Namespace") == "AWS/Lambda" and metric.get("MetricName") == metric_name:
                names += [d["Value"]["Ref"] for d in metric["Dimensions"] if d["Name"] == "FunctionName"]
    return names


def test_every_deployed_function_is_in_exactly_one_errors_group_and_one_throttles_group():
    deployed = {f.logical_id for f in DEPLOYED.functions}
    for metric in ("Errors", "Throttles"):
        named = _alarmed(metric)
        assert sorted(set(named)) == sorted(deployed), (
            f"add these functions to a {metric} alarm group (template.yaml, operations): "
            f"{sorted(deployed - set(named))}; not deployed: {sorted(set(named) - deployed)}")
        assert len(named) == len(set(named)), f"a function is in two {metric} groups"


def test_every_dead_letter_queue_has_an_alarm_when_not_empty():
    queues = [lid for lid in _raw_resources("AWS::SQS::Queue") if "DeadLetter" in lid]
    watched = set()
    for alarm in _raw_resources("AWS::CloudWatch::Alarm").values():
        for query in alarm["Properties"].get("Metrics", []):
            metric = (query.get("MetricStat") or {}).get("Metric") or {}
            if metric.get("MetricName") == "ApproximateNumberOfMessagesVisible":
                watched |= {d["Value"]["Fn::GetAtt"][0] for d in metric["Dimensions"]}
        assert alarm["Properties"]["AlarmActions"] == [{"Ref": "AlarmTopic"}]
    assert queues and set(queues) <= watched, sorted(set(queues) - watched)


def test_canary_deploys_only_on_the_booking_and_payment_functions_rolled_back_by_alarms():
    functions = _raw_resources("AWS::Serverless::Function")
    with_canary = {lid for lid, r in functions.items() if "DeploymentPreference" in r["Properties"]}
    assert with_canary == CANARY_FUNCTIONS
    for lid in with_canary:
        preference = functions[lid]["Properties"]["DeploymentPreference"]
        assert preference["Type"] == "Canary10Percent5Minutes"
        assert {"Ref": "Api5xxRateAlarm"} in preference["Alarms"] and len(preference["Alarms"]) == 2
        assert functions[lid]["Properties"]["AutoPublishAlias"] == "live"


def test_the_stack_keeps_headroom_under_cloudformations_500_resources_after_the_transform():
    # Given the SAM translator (in the SAM tools venv: it pins another pydantic than the app)
    tools_python = REPO_ROOT / ".venv-tools" / "bin" / "python"
    assert tools_python.exists(), "`make test` installs .venv-tools (aws-sam-cli, its translator)"
    done = subprocess.run([str(tools_python), "-m", "infra.sam_resources", "prod"], cwd=REPO_ROOT,
                          capture_output=True, text=True, check=True)
    counted = json.loads(done.stdout.strip().splitlines()[-1])
    # Then the transformed template fits, with room for what comes next
    assert counted["total"] <= CLOUDFORMATION_LIMIT - HEADROOM, counted
    assert counted["byType"]["AWS::Lambda::Alias"] == len(CANARY_FUNCTIONS)
