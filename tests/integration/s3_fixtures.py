"""S3 fixtures for the KYC tests (import them into a test module to use them)."""

from __future__ import annotations

import boto3
import pytest

from khadamat.adapters import storage


@pytest.fixture(autouse=True)
def fresh_s3_client():
    storage.reset_client()  # the cached client must be created inside this test's mock
    yield
    storage.reset_client()


@pytest.fixture
def s3(aws):
    return boto3.client("s3", region_name="eu-west-3")
