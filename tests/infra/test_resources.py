"""create_resources builds the template's tables and buckets from the template itself (mock_aws)."""

from pathlib import Path

import boto3
import pytest
from moto import mock_aws

from infra.local.resources import create_resources
from infra.local.template import REGION, Template, physical_name

FIXTURE_TEMPLATE = Path(__file__).parent / "fixtures" / "template.yaml"


@pytest.fixture
def session(monkeypatch):
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(name, "testing")
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    with mock_aws():
        yield boto3.session.Session(region_name=REGION)


def test_fixture_table_and_bucket(session):
    report = create_resources(session, Template(FIXTURE_TEMPLATE))
    assert sorted(report["created"]) == sorted([physical_name("Table"), physical_name("Bucket")])
    dynamodb, s3 = session.client("dynamodb"), session.client("s3")
    table = dynamodb.describe_table(TableName=physical_name("Table"))["Table"]
    assert table["KeySchema"] == [{"AttributeName": "PK", "KeyType": "HASH"},
                                  {"AttributeName": "SK", "KeyType": "RANGE"}]
    assert table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    assert [g["IndexName"] for g in table["GlobalSecondaryIndexes"]] == ["ByG1"]
    assert table["StreamSpecification"] == {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}
    ttl = dynamodb.describe_time_to_live(TableName=physical_name("Table"))["TimeToLiveDescription"]
    assert ttl == {"TimeToLiveStatus": "ENABLED", "AttributeName": "expiresAt"}
    assert s3.get_bucket_versioning(Bucket=physical_name("Bucket"))["Status"] == "Enabled"


def test_second_call_is_a_no_op(session):
    template = Template(FIXTURE_TEMPLATE)
    create_resources(session, template)
    report = create_resources(session, template)
    assert report["created"] == [] and len(report["existing"]) == 2


def test_real_template_resources(session):
    template = Template()
    create_resources(session, template)
    dynamodb = session.client("dynamodb")
    for logical_id, props in template.tables.items():
        table = dynamodb.describe_table(TableName=physical_name(logical_id))["Table"]
        assert {g["IndexName"] for g in table.get("GlobalSecondaryIndexes", [])} == {
            g["IndexName"] for g in props.get("GlobalSecondaryIndexes", [])}
        assert table["AttributeDefinitions"] == props["AttributeDefinitions"] or sorted(
            table["AttributeDefinitions"], key=str) == sorted(props["AttributeDefinitions"], key=str)
    s3 = session.client("s3")
    for logical_id, props in template.buckets.items():
        versioning = s3.get_bucket_versioning(Bucket=physical_name(logical_id)).get("Status")
        wanted = (props.get("VersioningConfiguration") or {}).get("Status")
        assert versioning == wanted


def test_accepts_a_dict_of_clients(session):
    clients = {"dynamodb": session.client("dynamodb"), "s3": session.client("s3")}
    assert len(create_resources(clients, Template(FIXTURE_TEMPLATE))["created"]) == 2


def test_a_fresh_in_process_table_forgets_the_previous_dev_clock():
    from datetime import timedelta

    from infra.local.resources import in_process_aws
    from khadamat import clock
    from khadamat.dal import devclock
    from tests.conftest import TEMPLATE

    # Given a dev clock 30 days ahead on one in-process table, read outside any invocation
    with in_process_aws(TEMPLATE):
        devclock.write_offset(timedelta(days=30))
        clock.begin_invocation()
        assert clock.now() > clock.system_now() + timedelta(days=29)
    # When the next test's fresh table starts
    with in_process_aws(TEMPLATE):
        # Then the clock is the system's again: that table has no dev clock
        assert abs(clock.now() - clock.system_now()) < timedelta(minutes=1)
