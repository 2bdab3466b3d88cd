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


def test_every_route_declares_its_success_model_summary_and_tags():
    # Given every HTTP route of template.yaml and the operation its function's app declares
    from infra.openapi import _own_operation, answered_status, http_apps, undeclared

    problems = []
    for route, app in http_apps(TEMPLATE):
        declared, _schemas = _own_operation(route, app)
        missing = undeclared(declared, answered_status(app))
        if missing:
            problems.append(f"{route.route_key} (functions/…/app.py of {route.function_id}): add to its "
                            f"@app.{route.method.lower()}(…) decorator " + "; ".join(missing))
    # Then none lacks a summary, its area's tag, or its success status with a body model
    assert not problems, ("each route declares what it answers on its decorator (see "
                          "khadamat/api/responses.py):\n" + "\n".join(problems))


def test_success_answers_are_the_declared_models_and_statuses():
    document = build_document(TEMPLATE)
    create = document["paths"]["/bookings"]["post"]
    logout = document["paths"]["/auth/logout"]["post"]
    # Given POST /bookings (201 with a booking) and POST /auth/logout (204, no body)
    assert create["responses"]["201"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/BookingView"}
    assert "200" not in create["responses"] and "content" not in logout["responses"]["204"]
    # Then the booking's fields are the wire's camelCase names, nullable ones as such
    booking = document["components"]["schemas"]["BookingView"]
    assert {"timeSlot", "proId", "clientId", "client", "pro", "proposal"} <= set(booking["required"])
    assert {"type": "null"} in booking["properties"]["cancelReason"]["anyOf"]
    # and every operation has a one-line summary and one tag, the local-only routes last
    operations = [op for item in document["paths"].values() for op in item.values()]
    assert all(op["summary"] and "\n" not in op["summary"] and len(op["tags"]) == 1 for op in operations)
    tags = [tag["name"] for tag in document["tags"]]
    assert tags[0] == "health" and tags[-1] == "local-only"
    assert {op["tags"][0] for op in operations} == set(tags)


def test_a_route_missing_its_declarations_is_told_what_to_add():
    from infra.openapi import undeclared

    bare = {"responses": {"200": {"description": "Successful Response", "content": {"application/json": {}}}}}
    missing = " ".join(undeclared(bare, 200))
    assert "summary=" in missing and "tags=[Tag." in missing and "returns(Model" in missing
    declared = {"summary": "Make a thing", "tags": ["bookings"],
                "responses": {"201": {"description": "x", "content": {"application/json": {"schema": {}}}}}}
    assert undeclared(declared, 200) == ["a model for the 201 body: responses={201: returns(Model, ...)}",
                                         "status_code=201 (it answers 200 as written)"]
