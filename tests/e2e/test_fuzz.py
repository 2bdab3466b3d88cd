"""Fuzzing: schemathesis over every operation of the generated OpenAPI document, on the stack.

The document comes from the running stack (GET /openapi.json), the requests go to it over
HTTP. Public operations are called anonymously; the others as a client, a pro and an admin.
Each operation gets valid (positive) and invalid (negative) cases. Checks: no 5xx, every
status documented, content type and body as documented (errors: the envelope).

Not fuzzed, because one call changes the world for the rest of the run:
``SKIPPED`` (DELETE /me deletes the caller, POST /_dev/clock moves everyone's clock).
FUZZ_EXAMPLES (default 10) sets the examples per operation, identity and mode.
"""

from __future__ import annotations

import json
import os
import uuid

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (content_type_conformance,
                                                response_schema_conformance,
                                                status_code_conformance)

from infra.openapi import DOCUMENT_PATH

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "10"))
# PATCH /me would change the shared admin's login email (issue 16): fuzzed as a fresh client in
# tests/e2e/test_privacy_http.py instead.
SKIPPED = {"DELETE /me", "POST /_dev/clock", "PATCH /me"}
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]
ADMIN_LOGIN = ("admin@khadamat.local", os.environ.get("KHADAMAT_ADMIN_PASSWORD", "Admin-Local-2026"))
PASSWORD = "motdepasse1"


def _token(http: requests.Session, base: str, login: str, password: str) -> str:
    reply = http.post(f"{base}/auth/login", json={"login": login, "password": password}, timeout=30)
    assert reply.status_code == 200, reply.text
    return reply.json()["accessToken"]


def _new_account(http: requests.Session, base: str, role: str) -> str:
    phone = "066" + str(uuid.uuid4().int)[:7]
    body = {"phone": phone, "email": f"fuzz-{uuid.uuid4().hex[:8]}@example.ma", "password": PASSWORD,
            "firstName": "Fuzz", "lastName": role.title(), "role": role,
            **({"cityId": "rabat-sale"} if role == "PRO" else {})}
    reply = http.post(f"{base}/auth/signup", json=body, timeout=30)
    assert reply.status_code == 201, reply.text
    return _token(http, base, phone, PASSWORD)


@pytest.fixture(scope="module")
def identities(stack, http) -> dict[str, str | None]:
    return {"client": _new_account(http, stack, "CLIENT"), "pro": _new_account(http, stack, "PRO"),
            "admin": _token(http, stack, *ADMIN_LOGIN)}


def _operations(schema):
    for result in schema.get_all_operations():
        operation = result.ok()
        yield f"{operation.method.upper()} {operation.path}", operation


def _fuzz(operation, base: str, token: str | None, mode: GenerationMode) -> str | None:
    """None when every example passes, else the (shrunk) failure report."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
              phases=[Phase.explicit, Phase.generate, Phase.shrink],
              suppress_health_check=list(HealthCheck))
    def run(case):
        case.call_and_validate(base_url=base, headers=headers, checks=CHECKS, timeout=30)

    try:
        run()
    except Unsatisfiable:
        if mode is GenerationMode.POSITIVE:
            raise
        return None  # no input of this operation can be invalid (no body, str path)
    except BaseException as failure:  # noqa: BLE001 - collected and reported below
        if isinstance(failure, KeyboardInterrupt):
            raise
        return str(failure)[:3000]
    return None


def test_every_operation_as_each_identity_gives_no_5xx_and_matches_the_document(stack, identities):
    # Given the document the stack serves and a client, a pro and an admin
    schema = schemathesis.openapi.from_url(f"{stack}/openapi.json", timeout=60)
    failures, fuzzed = [], set()
    for key, operation in _operations(schema):
        if key in SKIPPED:
            continue
        public = not operation.definition.raw.get("security")
        callers = {"anonymous": None} if public else identities
        # When schemathesis sends valid and invalid requests for every operation and caller
        for caller, token in callers.items():
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
                report = _fuzz(operation, stack, token, mode)
                if report:
                    failures.append(f"{key} as {caller} ({mode.value}):\n{report}")
        fuzzed.add(key)
    # Then nothing failed, and every operation of the document was fuzzed
    assert not failures, "\n\n".join(failures)
    assert fuzzed == {key for key, _ in _operations(schema)} - SKIPPED


def test_stack_serves_the_committed_document_and_swagger_ui(stack, http):
    # When the local stack is asked for its document and its docs page
    document = http.get(f"{stack}/openapi.json", timeout=60)
    page = http.get(f"{stack}/docs", timeout=30)
    script = http.get(f"{stack}/docs/swagger-ui-bundle.js", timeout=30)
    # Then the document is the committed one, and Swagger UI comes with its own assets
    assert document.status_code == 200
    assert document.json() == json.loads(DOCUMENT_PATH.read_text(encoding="utf-8"))
    assert page.status_code == 200 and "/openapi.json" in page.text
    assert script.status_code == 200 and "SwaggerUIBundle" in script.text
