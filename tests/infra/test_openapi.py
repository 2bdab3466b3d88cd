"""The OpenAPI document: every route of template.yaml and nothing else, committed fresh."""

from __future__ import annotations

import json

from infra.openapi import DOCUMENT_PATH, build_document, render
from tests.conftest import TEMPLATE


def _operations(document: dict) -> set[str]:
    return {f"{method.upper()} {path}" for path, item in document["paths"].items() for method in item}


def test_document_has_every_template_route_and_nothing_else():
    # Given the routes of template.yaml (but $default)
    routes = {route.route_key for route in TEMPLATE.routes if route.path != "$default"}
    # When the document is generated from the functions
    document = build_document(TEMPLATE)
    # Then its operations are exactly those routes
    assert _operations(document) == routes


def test_committed_document_equals_a_fresh_generation():
    # Given the committed docs/openapi.json, when generated afresh, then they are equal
    fresh = render(build_document(TEMPLATE))
    assert DOCUMENT_PATH.read_text(encoding="utf-8") == fresh, "run `make openapi` and commit docs/openapi.json"


def test_errors_follow_the_auth_kind_and_use_the_envelope():
    document = build_document(TEMPLATE)
    me = document["paths"]["/me"]["get"]
    ban = document["paths"]["/admin/users/{id}/ban"]["post"]
    signup = document["paths"]["/auth/signup"]["post"]
    # signed-in route: 401 + 403 and a bearer requirement; public: neither
    assert {"401", "403"} <= set(me["responses"]) and me["security"] == [{"bearerAuth": []}]
    assert "401" not in signup["responses"] and "security" not in signup
    # role route: FORBIDDEN among the 403 codes; body route: 400 and 422
    assert "FORBIDDEN" in ban["responses"]["403"]["x-error-codes"]
    assert {"400", "422", "409", "201"} <= set(signup["responses"])
    assert signup["responses"]["409"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ErrorEnvelope"}
    # request bodies come from the handlers' pydantic models (camelCase on the wire)
    assert "firstName" in document["components"]["schemas"]["SignupRequest"]["properties"]
    json.dumps(document)  # serialisable
