"""The DAL's one conditional-write helper and the path id reader (issue 15)."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError
from pynamodb.exceptions import DeleteError, PutError, UpdateError

from khadamat.api.resolver import path_id
from khadamat.dal.base import conditionally


def _failing(error_type, code: str):
    def write(*_args, **_kwargs):
        raise error_type("write failed", cause=ClientError({"Error": {"Code": code, "Message": "no"}}, "Op"))
    return write


@pytest.mark.parametrize("error_type", [PutError, UpdateError, DeleteError])
def test_a_failed_condition_is_false(error_type):
    assert conditionally(_failing(error_type, "ConditionalCheckFailedException"), condition="c") is False


@pytest.mark.parametrize("error_type", [PutError, UpdateError, DeleteError])
def test_any_other_failure_raises(error_type):
    with pytest.raises(error_type):
        conditionally(_failing(error_type, "ProvisionedThroughputExceededException"))


def test_a_write_that_passes_is_true_and_gets_its_arguments():
    seen = []
    assert conditionally(lambda *args, **kwargs: seen.append((args, kwargs)), 1, condition="c") is True
    assert seen == [((1,), {"condition": "c"})]


def test_the_path_id_is_the_route_s_one_parameter_whatever_its_name():
    assert path_id({"pathParameters": {"id": "b-1"}}) == "b-1"
    assert path_id({"pathParameters": {"bookingId": "b-2"}}) == "b-2"
    assert path_id({"pathParameters": None}) == path_id({}) == ""
