"""The embedded AWS's TransactWriteItems undo (infra/local/moto_transactions.py) behaves as moto's."""

from __future__ import annotations

import boto3
import pytest
from botocore.exceptions import ClientError

from infra.local.resources import in_process_aws
from infra.local.template import REGION, physical_name
from tests.conftest import TEMPLATE

TABLE = physical_name("KhadamatTable")


@pytest.fixture
def dynamodb():
    with in_process_aws(TEMPLATE):
        client = boto3.client("dynamodb", region_name=REGION)
        client.put_item(TableName=TABLE, Item={"PK": {"S": "A"}, "SK": {"S": "1"}, "n": {"N": "1"},
                                               "tags": {"M": {"x": {"S": "kept"}}}})
        client.put_item(TableName=TABLE, Item={"PK": {"S": "B"}, "SK": {"S": "1"}, "n": {"N": "5"}})
        yield client


def _item(client, pk: str):
    return client.get_item(TableName=TABLE, Key={"PK": {"S": pk}, "SK": {"S": "1"}}, ConsistentRead=True).get("Item")


def _writes(condition_on_b: str) -> list[dict]:
    key = {"PK": {"S": "A"}, "SK": {"S": "1"}}
    return [
        {"Update": {"TableName": TABLE, "Key": key, "UpdateExpression": "SET n = n + :one, tags.x = :y",
                    "ExpressionAttributeValues": {":one": {"N": "1"}, ":y": {"S": "changed"}}}},
        {"Put": {"TableName": TABLE, "Item": {"PK": {"S": "C"}, "SK": {"S": "1"}}}},
        {"Delete": {"TableName": TABLE, "Key": {"PK": {"S": "B"}, "SK": {"S": "1"}},
                    "ConditionExpression": condition_on_b, "ExpressionAttributeValues": {":five": {"N": "5"}}}},
    ]


def test_a_cancelled_transaction_leaves_every_item_as_it_was(dynamodb):
    before = {pk: _item(dynamodb, pk) for pk in "ABC"}
    # When the last write's condition fails after the first two were applied
    with pytest.raises(ClientError) as refused:
        dynamodb.transact_write_items(TransactItems=_writes("n <> :five"))
    # Then the transaction is cancelled with moto's reasons, and nothing changed
    assert refused.value.response["Error"]["Code"] == "TransactionCanceledException"
    assert [reason["Code"] for reason in refused.value.response["CancellationReasons"]] == \
        ["None", "None", "ConditionalCheckFailed"]
    assert {pk: _item(dynamodb, pk) for pk in "ABC"} == before
    assert before["C"] is None


def test_a_committed_transaction_applies_every_write(dynamodb):
    dynamodb.transact_write_items(TransactItems=_writes("n = :five"))
    assert _item(dynamodb, "A")["n"] == {"N": "2"} and _item(dynamodb, "A")["tags"]["M"]["x"] == {"S": "changed"}
    assert _item(dynamodb, "C") is not None and _item(dynamodb, "B") is None


def test_a_transaction_naming_one_item_twice_is_refused_and_undone(dynamodb):
    twice = [_writes("n = :five")[0], _writes("n = :five")[0]]
    with pytest.raises(ClientError):
        dynamodb.transact_write_items(TransactItems=twice)
    assert _item(dynamodb, "A")["n"] == {"N": "1"}
