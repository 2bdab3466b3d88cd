"""The client IP behind CloudFront (issue 18; docs/security.md "Client IP"): the viewer's
address from CloudFront-Viewer-Address only when the distribution's secret origin header
came with it; otherwise API Gateway's source IP, whatever headers a client sends."""

from __future__ import annotations

import pytest

from khadamat.api.throttle import source_ip

SECRET = "s3cr3t-origin-value"


@pytest.fixture(autouse=True)
def origin_secret(monkeypatch):
    monkeypatch.setenv("CLOUDFRONT_ORIGIN_SECRET", SECRET)


def event(headers: dict, direct: str = "130.176.1.1") -> dict:
    return {"headers": headers, "requestContext": {"http": {"sourceIp": direct}}}


@pytest.mark.parametrize("viewer, expected", [("198.51.100.10:46532", "198.51.100.10"),
                                              ("2001:db8::8:443", "2001:db8::8")])
def test_through_cloudfront_the_viewer_address_is_the_client(viewer, expected):
    headers = {"CloudFront-Viewer-Address": viewer, "X-Khadamat-Origin-Verify": SECRET}
    assert source_ip(event(headers)) == expected


@pytest.mark.parametrize("proof", [None, "", "guess", SECRET + "x"])
def test_a_viewer_address_without_the_distributions_proof_is_ignored(proof):
    # a client calling the execute-api endpoint directly, pretending to be anyone
    headers = {"cloudfront-viewer-address": "203.0.113.5:1234"}
    if proof is not None:
        headers["x-khadamat-origin-verify"] = proof
    assert source_ip(event(headers, direct="192.0.2.44")) == "192.0.2.44"


def test_where_no_distribution_fronts_the_api_the_header_is_never_trusted(monkeypatch):
    monkeypatch.delenv("CLOUDFRONT_ORIGIN_SECRET")
    monkeypatch.setenv("STAGE", "local")
    headers = {"cloudfront-viewer-address": "203.0.113.5:1234", "x-khadamat-origin-verify": ""}
    assert source_ip(event(headers, direct="192.0.2.45")) == "192.0.2.45"
