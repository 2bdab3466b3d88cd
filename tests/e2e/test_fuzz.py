"""Fuzzing: schemathesis over every operation of the generated OpenAPI document, on the stack.

Schemathesis' own runner (`st run`), with every phase — examples, coverage (boundary values,
wrong types, unsupported and malformed Content-Types), fuzzing and stateful — and the checks:
no 5xx (for a body sent with an unsupported media type: 415), every status documented, content
type and body as documented (successes: the response model each route declares,
khadamat/api/responses.py; errors: the envelope). Each identity fuzzes the operations it may
call: public ones anonymously, the others as a client, a pro or an admin (the authorization
matrix covers who may not). Every request comes from its own X-Forwarded-For address
(tests/e2e/fuzz_hooks.py), as many users would, so per-IP limits do not turn it into 429s.

Not fuzzed, because one call changes the world for the rest of the run:
``SKIPPED`` (DELETE /me deletes the caller, POST /_dev/clock moves everyone's clock).
FUZZ_EXAMPLES (default 5) sets the examples per operation of the fuzzing phase.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import requests

from infra.openapi import DOCUMENT_PATH

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "5"))
SKIPPED = {"DELETE /me", "POST /_dev/clock", "PATCH /me"}  # PATCH /me: the shared admin's email; fuzzed in test_privacy_http.py
PHASES = "examples,coverage,fuzzing,stateful"
CHECKS = "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance"
CALLERS = {  # who fuzzes which operations (the document's x-auth)
    "anonymous": {"public"},
    "client": {"CLIENT", "CLIENT|PRO", "signed-in"},
    "pro": {"PRO", "CLIENT|PRO", "signed-in"},
    "admin": {"ADMIN"},
}
HOOKS = "tests.e2e.fuzz_hooks"
REPO_ROOT = Path(__file__).resolve().parents[2]
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
    from tests.e2e.flows import register

    _user_id, headers = register(base, http, body)
    return headers["Authorization"].removeprefix("Bearer ")


@pytest.fixture(scope="module")
def identities(stack, http) -> dict[str, str | None]:
    return {"anonymous": None, "client": _new_account(http, stack, "CLIENT"),
            "pro": _new_account(http, stack, "PRO"), "admin": _token(http, stack, *ADMIN_LOGIN)}


def _keys(document: dict) -> set[str]:
    return {f"{method.upper()} {path}" for path, item in document["paths"].items() for method in item}


def _document_for(document: dict, kinds: set[str]) -> dict:
    """The document reduced to the operations of these kinds (x-auth), SKIPPED left out."""
    paths = {}
    for path, item in document["paths"].items():
        kept = {method: op for method, op in item.items()
                if op.get("x-auth") in kinds and f"{method.upper()} {path}" not in SKIPPED}
        if kept:
            paths[path] = kept
    return {**document, "paths": paths}


def _schemathesis(document_file: Path, base: str, token: str | None) -> subprocess.CompletedProcess:
    command = [str(Path(sys.executable).with_name("st")), "run", str(document_file), "--url", base,
               "--phases", PHASES, "--checks", CHECKS, "--max-examples", str(EXAMPLES),
               "--generation-deterministic", "--continue-on-failure", "--request-timeout", "30",
               "--no-color", "--suppress-health-check", "all"]
    if token:
        command += ["--header", f"Authorization: Bearer {token}"]
    env = {**os.environ, "SCHEMATHESIS_HOOKS": HOOKS, "PYTHONPATH": str(REPO_ROOT)}
    return subprocess.run(command, cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=900)


def test_every_operation_as_each_identity_gives_no_5xx_and_matches_the_document(stack, identities, tmp_path):
    # Given the document the stack serves, and an identity for every kind of operation
    document = requests.get(f"{stack}/openapi.json", timeout=60).json()
    failures, fuzzed = [], set()
    for caller, kinds in CALLERS.items():
        own = _document_for(document, kinds)
        document_file = tmp_path / f"{caller}.json"
        document_file.write_text(json.dumps(own), encoding="utf-8")
        # When schemathesis runs every phase over the caller's operations
        run = _schemathesis(document_file, stack, identities[caller])
        if run.returncode != 0:
            failures.append(f"as {caller} (exit {run.returncode}):\n{(run.stdout + run.stderr)[-6000:]}")
        fuzzed |= _keys(own)
    # Then nothing failed, and every operation of the document was fuzzed
    assert not failures, "\n\n".join(failures)
    assert fuzzed == _keys(document) - SKIPPED


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
