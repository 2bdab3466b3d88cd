"""Create the template's DynamoDB tables and S3 buckets from the template's own definitions.

One source of truth for the schema: the local stack (moto server), `invoke`
(in-process moto) and tests under `moto.mock_aws` all call `create_resources`.
Idempotent: an existing table or bucket is left as it is. `in_process_aws` is moto in the
caller's own process with those resources: tests, `make invoke`, the benchmarks.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from typing import Any

from infra.local import moto_transactions, table_stream
from infra.local.template import REGION, Template, physical_name

_GSI_KEYS = ("IndexName", "KeySchema", "Projection", "ProvisionedThroughput", "OnDemandThroughput")
_LSI_KEYS = ("IndexName", "KeySchema", "Projection")


def _clients(session_or_clients: Any) -> tuple[Any, Any]:
    """Accepts a boto3 Session, a dict {"dynamodb": client, "s3": client}, or None (default session)."""
    if isinstance(session_or_clients, dict):
        return session_or_clients["dynamodb"], session_or_clients["s3"]
    if session_or_clients is None:
        import boto3
        session_or_clients = boto3.session.Session(region_name=REGION)
    return session_or_clients.client("dynamodb"), session_or_clients.client("s3")


def create_resources(session_or_clients: Any = None, template: Template | None = None) -> dict[str, list[str]]:
    """Create every table and bucket of the template; returns {"created": [...], "existing": [...]}."""
    template = template or Template()
    dynamodb, s3 = _clients(session_or_clients)
    report: dict[str, list[str]] = {"created": [], "existing": []}
    for logical_id, props in template.tables.items():
        created = create_table(dynamodb, physical_name(logical_id), props)
        report["created" if created else "existing"].append(physical_name(logical_id))
    for logical_id, props in template.buckets.items():
        created = create_bucket(s3, physical_name(logical_id), props)
        report["created" if created else "existing"].append(physical_name(logical_id))
    return report


# ----------------------------------------------------------------- DynamoDB


def table_request(table_name: str, props: dict) -> dict:
    """CreateTable parameters from an AWS::DynamoDB::Table's Properties."""
    request: dict[str, Any] = {
        "TableName": table_name,
        "AttributeDefinitions": props["AttributeDefinitions"],
        "KeySchema": props["KeySchema"],
        "BillingMode": props.get("BillingMode", "PROVISIONED"),
    }
    if request["BillingMode"] == "PROVISIONED":
        request["ProvisionedThroughput"] = props.get(
            "ProvisionedThroughput", {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5})
    if props.get("GlobalSecondaryIndexes"):
        request["GlobalSecondaryIndexes"] = [
            {k: v for k, v in gsi.items() if k in _GSI_KEYS} for gsi in props["GlobalSecondaryIndexes"]]
    if props.get("LocalSecondaryIndexes"):
        request["LocalSecondaryIndexes"] = [
            {k: v for k, v in lsi.items() if k in _LSI_KEYS} for lsi in props["LocalSecondaryIndexes"]]
    stream = props.get("StreamSpecification")
    if stream and stream.get("StreamViewType"):
        request["StreamSpecification"] = {"StreamEnabled": True, "StreamViewType": stream["StreamViewType"]}
    return request


def create_table(dynamodb: Any, table_name: str, props: dict) -> bool:
    if _table_exists(dynamodb, table_name):
        return False
    dynamodb.create_table(**table_request(table_name, props))
    dynamodb.get_waiter("table_exists").wait(TableName=table_name, WaiterConfig={"Delay": 1, "MaxAttempts": 60})
    ttl = props.get("TimeToLiveSpecification")
    if ttl and ttl.get("Enabled"):
        dynamodb.update_time_to_live(
            TableName=table_name,
            TimeToLiveSpecification={"AttributeName": ttl["AttributeName"], "Enabled": True})
    return True


def _table_exists(dynamodb: Any, table_name: str) -> bool:
    try:
        dynamodb.describe_table(TableName=table_name)
        return True
    except dynamodb.exceptions.ResourceNotFoundException:
        return False


# ----------------------------------------------------------------- S3


def create_bucket(s3: Any, bucket_name: str, props: dict) -> bool:
    if _bucket_exists(s3, bucket_name):
        return False
    region = s3.meta.region_name or REGION
    params: dict[str, Any] = {"Bucket": bucket_name}
    if region != "us-east-1":
        params["CreateBucketConfiguration"] = {"LocationConstraint": region}
    s3.create_bucket(**params)
    _configure_bucket(s3, bucket_name, props)
    return True


def _configure_bucket(s3: Any, bucket_name: str, props: dict) -> None:
    if (props.get("VersioningConfiguration") or {}).get("Status") == "Enabled":
        s3.put_bucket_versioning(Bucket=bucket_name, VersioningConfiguration={"Status": "Enabled"})
    encryption = props.get("BucketEncryption")
    if encryption:
        s3.put_bucket_encryption(
            Bucket=bucket_name,
            ServerSideEncryptionConfiguration={"Rules": [
                _encryption_rule(r) for r in encryption["ServerSideEncryptionConfiguration"]]})
    if props.get("PublicAccessBlockConfiguration"):
        s3.put_public_access_block(
            Bucket=bucket_name, PublicAccessBlockConfiguration=props["PublicAccessBlockConfiguration"])
    cors_rules = (props.get("CorsConfiguration") or {}).get("CorsRules")
    if cors_rules:
        s3.put_bucket_cors(Bucket=bucket_name,
                           CORSConfiguration={"CORSRules": [_cors_rule(r) for r in cors_rules]})


def _encryption_rule(rule: dict) -> dict:
    renamed = {"ServerSideEncryptionByDefault": "ApplyServerSideEncryptionByDefault"}
    return {renamed.get(k, k): v for k, v in rule.items()}


def _cors_rule(rule: dict) -> dict:
    renamed = {"MaxAge": "MaxAgeSeconds", "Id": "ID"}
    return {renamed.get(k, k): v for k, v in rule.items()}


def _bucket_exists(s3: Any, bucket_name: str) -> bool:
    from botocore.exceptions import ClientError

    try:
        s3.head_bucket(Bucket=bucket_name)
        return True
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") in ("404", "NoSuchBucket", "NotFound"):
            return False
        raise


@contextmanager
def in_process_aws(template: Template) -> Iterator[None]:
    """moto in this process (``mock_aws``) holding the template's tables and buckets."""
    from moto import mock_aws

    moto_transactions.install()
    table_stream.install()  # the table's stream, recorded from this process's writes
    with mock_aws():
        table_stream.reset()
        create_resources(_in_process_clients(), template)
        _forget_clock_anchor()
        yield


def _forget_clock_anchor() -> None:
    """A fresh embedded table has no dev clock: the anchor this thread's ``clock.now()`` cached
    from the previous table (outside any invocation, e.g. a test issuing a token) is stale, and
    a token issued on it was refused as expired or not yet valid."""
    from khadamat import clock

    clock.begin_invocation()


@cache
def _in_process_clients() -> dict[str, Any]:
    """The clients that create resources in the in-process moto, made once per process (moto
    intercepts them in every later ``mock_aws``): a new boto3 Session loads botocore's service
    models again, ≈ 0.15 s of CPU for each test using the ``aws`` fixture."""
    import boto3

    session = boto3.session.Session(region_name=REGION)
    return {"dynamodb": session.client("dynamodb"), "s3": session.client("s3")}
