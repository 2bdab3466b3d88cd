"""The OpenAPI 3.1 document of the whole API, generated from the functions themselves.

Every HTTP route of template.yaml (but `$default`) is one operation. Its request
schema comes from the function's own Powertools resolver (`app.get_openapi_schema()`,
built from the same pydantic models the handler validates with); its path is the
template's; its error responses come from who may call it (`app.roles`) plus the
few route-specific codes of ``ROUTE_ERRORS``. Lambda code never imports this module.

`python -m infra.openapi` (`make openapi`) writes docs/openapi.json;
tests/infra/test_openapi.py fails when that file drifts from a fresh generation.

Success is declared on each route (khadamat/api/responses.py): ``status_code=``,
``responses={status: returns(Model, ...)}``, ``summary=`` and ``tags=`` on the Powertools
decorator; this module publishes them as declared and refuses a route that lacks one
(``undeclared``).

Error defaults by kind: 400 and 413 on every route (a malformed request, a body over 64 KiB);
415 on POST/PUT/PATCH routes but webhooks; 401/403 when signed in (403 FORBIDDEN when
role-restricted); 404 NOT_FOUND with a path parameter; 422 with a body or parameters.
A route that raises codes beyond those defaults adds them to ``ROUTE_ERRORS`` (the SPEC's
routes are already there).
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

from infra.local.template import REPO_ROOT, Function, Route, Template
from khadamat.api.responses import TAG_DESCRIPTIONS, Tag

DOCUMENT_PATH = REPO_ROOT / "docs" / "openapi.json"
TITLE = "Khadamat API"
VERSION = "1.0.0"
BEARER = "bearerAuth"
ERROR_SCHEMA_REF = {"$ref": "#/components/schemas/ErrorEnvelope"}

# Error codes a route raises beyond the defaults of its kind: {status: [codes]} (SPEC).
_TRANSITION = {404: ["NOT_FOUND"], 409: ["INVALID_TRANSITION"]}
ROUTE_ERRORS: dict[str, dict[int, list[str]]] = {
    # Every /auth/* route: 429 RATE_LIMITED from the per-IP limit (SPEC §1).
    "POST /auth/signup": {409: ["ACCOUNT_EXISTS"], 429: ["RATE_LIMITED"]},
    "POST /auth/login": {401: ["INVALID_CREDENTIALS"], 403: ["ACCOUNT_BANNED"],
                         429: ["RATE_LIMITED"]},
    "POST /auth/refresh": {401: ["UNAUTHORIZED"], 403: ["ACCOUNT_BANNED"], 429: ["RATE_LIMITED"]},
    "POST /auth/logout": {429: ["RATE_LIMITED"]},
    "POST /auth/otp/send": {401: ["UNAUTHORIZED"], 409: ["ACCOUNT_EXISTS"], 429: ["RATE_LIMITED"]},
    "POST /auth/otp/verify": {401: ["INVALID_CODE", "UNAUTHORIZED"],
                              403: ["ACCOUNT_BANNED", "PHONE_NOT_VERIFIED"],
                              409: ["ACCOUNT_EXISTS"], 429: ["RATE_LIMITED"]},
    "POST /auth/password/reset": {401: ["UNAUTHORIZED"], 429: ["RATE_LIMITED"]},
    "POST /me/password": {401: ["INVALID_CREDENTIALS"], 429: ["RATE_LIMITED"]},
    "POST /admin/users/{id}/ban": {403: ["FORBIDDEN"], 409: ["INVALID_TRANSITION"]},
    "POST /_dev/clock": {404: ["NOT_FOUND"]},
    "DELETE /_dev/clock": {404: ["NOT_FOUND"]},
    "GET /_dev/outbox": {404: ["NOT_FOUND"]},
    "PUT /pro/services": {409: ["CATEGORY_LIMIT"]},
    "GET /pros/{proId}": {404: ["PRO_NOT_FOUND"]},
    "GET /pros/{proId}/slots": {404: ["PRO_NOT_FOUND"]},
    "POST /bookings": {403: ["FORBIDDEN", "COOLDOWN_ACTIVE", "PHONE_NOT_VERIFIED"], 404: ["PRO_NOT_FOUND"],
                       409: ["SLOT_UNAVAILABLE", "DUPLICATE_BOOKING", "PENDING_LIMIT_REACHED",
                             "IDEMPOTENCY_KEY_REUSED"],
                       422: ["SLOT_NOT_ALIGNED", "SLOT_IN_PAST", "CATEGORY_NOT_OFFERED"]},
    "POST /bookings/{id}/confirm": {403: ["ACCOUNT_SUSPENDED", "PHONE_NOT_VERIFIED"], 404: ["NOT_FOUND"],
                                    409: ["SLOT_TAKEN", "INVALID_TRANSITION", "BOOKING_EXPIRED"]},
    "POST /bookings/{id}/decline": {404: ["NOT_FOUND"], 409: ["INVALID_TRANSITION", "BOOKING_EXPIRED"]},
    "POST /bookings/{id}/cancel": {404: ["NOT_FOUND"],
                                   409: ["INVALID_TRANSITION", "CANCEL_FORBIDDEN_AFTER_START"],
                                   422: ["REASON_REQUIRED"]},
    "POST /bookings/{id}/complete": {404: ["NOT_FOUND"],
                                     409: ["INVALID_TRANSITION", "TOO_EARLY_TO_COMPLETE"]},
    "POST /bookings/{id}/review": {404: ["NOT_FOUND"], 409: ["ALREADY_REVIEWED", "INVALID_TRANSITION"]},
    "PATCH /admin/reports/{id}": _TRANSITION,
    "POST /admin/kyc/{proId}/approve": _TRANSITION,
    "POST /admin/kyc/{proId}/reject": _TRANSITION,
    "POST /pro/kyc/submit": {409: ["KYC_DOCUMENTS_MISSING"]},
    "POST /pro/subscription/checkout": {403: ["KYC_REQUIRED"], 409: ["NOT_CUMULABLE"]},
    "POST /pro/boosts/checkout": {403: ["KYC_REQUIRED"], 409: ["NOT_CUMULABLE"],
                                  422: ["CATEGORY_NOT_OFFERED"]},
    "POST /pro/subscription/cancel": {404: ["NOT_FOUND"], 409: ["COMMITMENT_ACTIVE"]},
    "POST /webhooks/stripe": {400: ["BAD_REQUEST"]},
    # WhatsApp both ways (issue 17, SPEC §16): a bad or missing X-Twilio-Signature
    "POST /webhooks/twilio/whatsapp": {403: ["FORBIDDEN"]},
    "POST /webhooks/twilio/status": {403: ["FORBIDDEN"]},
    "POST /_dev/whatsapp/inbound": {404: ["NOT_FOUND"]},
    "POST /_dev/whatsapp/status": {404: ["NOT_FOUND"]},
    # self-service (issue 16, helper privacy): a taken email; CONFLICT when a concurrent change won
    "PATCH /me": {409: ["ACCOUNT_EXISTS", "CONFLICT"]},
    # Booking changes (issue 20, SPEC §19)
    "POST /bookings/{id}/reschedule": {409: ["INVALID_TRANSITION", "PROPOSAL_PENDING", "SLOT_UNAVAILABLE"],
                                       422: ["SLOT_NOT_ALIGNED", "SLOT_IN_PAST"]},
    "POST /bookings/{id}/reschedule/accept": {409: ["INVALID_TRANSITION", "SLOT_TAKEN", "DUPLICATE_BOOKING"]},
    "POST /bookings/{id}/reschedule/decline": {409: ["INVALID_TRANSITION"]},
    "GET /pro/calendar.ics": {404: ["NOT_FOUND"]},
    # pro workspace (issue 19)
    "POST /pro/photos": {409: ["PHOTO_LIMIT"]},
    "DELETE /pro/photos/{photoId}": {404: ["NOT_FOUND"]},
    "POST /pro/reviews/{bookingId}/reply": {404: ["NOT_FOUND"], 409: ["ALREADY_REPLIED"]},
    "GET /pros/{proId}/reviews": {404: ["PRO_NOT_FOUND"]},
    # admin console and public content (issue 18, docs/admin.md)
    "POST /admin/users/{id}/unban": {409: ["INVALID_TRANSITION"]},
    "GET /admin/users/{id}": {404: ["NOT_FOUND"]},
    "POST /admin/reviews/{bookingId}/hide": _TRANSITION,
    "POST /admin/reviews/{bookingId}/unhide": _TRANSITION,
    "POST /admin/mfa/confirm": {401: ["INVALID_CODE"]},
    "POST /auth/mfa": {401: ["UNAUTHORIZED", "INVALID_CODE"], 403: ["ACCOUNT_BANNED"], 429: ["RATE_LIMITED"]},
    "POST /_dev/admins": {404: ["NOT_FOUND"], 409: ["ACCOUNT_EXISTS"]},
    "POST /admin/articles": {409: ["SLUG_TAKEN"]},
    "PUT /admin/articles/{id}": {404: ["NOT_FOUND"], 409: ["SLUG_TAKEN", "INVALID_TRANSITION"]},
    "DELETE /admin/articles/{id}": _TRANSITION,
    "GET /admin/articles/{id}": {404: ["NOT_FOUND"]},
    "GET /articles/{slug}": {404: ["NOT_FOUND"]},
}

_DESCRIPTIONS = {400: "Malformed request: body not a JSON object, bad headers", 401: "Not signed in, or bad credentials",
                 403: "Not allowed", 404: "Unknown id, or one the caller may not see",
                 409: "State conflict", 413: "Body over 64 KiB",
                 415: "Body sent with a Content-Type other than application/json",
                 422: "A field rule is broken", 429: "Throttled"}


def route_kind(roles: tuple | None) -> str:
    """'public', 'signed-in' (any role) or the roles joined by '|'."""
    if roles is None:
        return "public"
    return "|".join(str(role) for role in roles) if roles else "signed-in"


def default_errors(roles: tuple | None, has_body: bool, has_params: bool,
                   has_path_params: bool = False, json_route: bool = False) -> dict[int, list[str]]:
    """The errors every route of a kind can answer (``json_route``: POST/PUT/PATCH but webhooks)."""
    errors: dict[int, list[str]] = {400: ["BAD_REQUEST"]}  # any malformed request (gateway)
    errors[413] = ["PAYLOAD_TOO_LARGE"]  # SPEC §1, any route (khadamat.api.resolver.check_request)
    if json_route:
        errors[415] = ["UNSUPPORTED_MEDIA_TYPE"]
    if roles is not None:
        errors[401] = ["UNAUTHORIZED"]
        errors[403] = ["ACCOUNT_BANNED"] + (["FORBIDDEN"] if roles else [])
    if has_path_params:
        errors[404] = ["NOT_FOUND"]  # unknown id, or one the caller may not see
    if has_body or has_params:
        errors[422] = ["VALIDATION_ERROR"]
    return errors


# ----------------------------------------------------------------- loading the functions


def load_module(function: Function) -> ModuleType:
    """The function's handler module, shared with the local runtime when already loaded."""
    from infra.local import lambda_runtime

    loaded = sys.modules.get(f"khadamat_local_fn_{function.logical_id}")
    return loaded or lambda_runtime._load_module(function)  # noqa: SLF001 - same loader as the runtime


def http_apps(template: Template) -> list[tuple[Route, Any]]:
    """(route, the function's Powertools app) for every HTTP route but `$default`."""
    functions = {function.logical_id: function for function in template.functions}
    found = []
    for route in template.routes:
        if route.path == "$default":
            continue
        app = getattr(load_module(functions[route.function_id]), "app", None)
        if app is None:
            raise RuntimeError(f"{route.function_id} has no `app` resolver for {route.route_key}")
        found.append((route, app))
    return sorted(found, key=lambda pair: (pair[0].path, pair[0].method))


# ----------------------------------------------------------------- building the document


def _path_names(path: str) -> list[str]:
    return re.findall(r"\{([^}+]+)\+?\}", path)


def _own_operation(route: Route, app: Any) -> tuple[dict, dict]:
    """The one operation the app declares, and its component schemas."""
    schema = json.loads(app.get_openapi_json_schema(openapi_version="3.1.0"))
    operations = [(path, method, op) for path, item in schema.get("paths", {}).items()
                  for method, op in item.items()]
    matching = [entry for entry in operations if entry[1].upper() == route.method]
    if len(matching) != 1:
        raise RuntimeError(f"{route.function_id}: expected one {route.method} route in its app, "
                           f"found {[(m.upper(), p) for p, m, _ in operations]}")
    app_path, _method, operation = matching[0]
    renames = dict(zip(_path_names(app_path), _path_names(route.path)))
    if len(renames) != len(_path_names(route.path)):
        raise RuntimeError(f"{route.route_key}: the app's path {app_path} has other parameters")
    for parameter in operation.get("parameters", []):
        if parameter.get("in") == "path":
            parameter["name"] = renames.get(parameter["name"], parameter["name"])
    declared = {p["name"] for p in operation.get("parameters", []) if p.get("in") == "path"}
    # A handler that takes no path argument (the /bookings/{id}/… routes read their booking
    # through khadamat.api.prefetch.target_ref): template.yaml names the parameter.
    missing = [{"required": True, "schema": {"type": "string", "title": name.capitalize()},
                "name": name, "in": "path"} for name in _path_names(route.path) if name not in declared]
    if missing:
        operation["parameters"] = missing + operation.get("parameters", [])
    return operation, schema.get("components", {}).get("schemas", {})


def _operation(route: Route, app: Any) -> tuple[dict, dict]:
    declared, schemas = _own_operation(route, app)
    roles = getattr(app, "roles", None)
    has_body = "requestBody" in declared
    parameters = declared.get("parameters", [])
    has_params = any(p.get("in") in ("query", "path") for p in parameters)
    json_route = route.method in ("POST", "PUT", "PATCH") and not getattr(app, "provider_body", False)
    errors = default_errors(roles, has_body, has_params, "{" in route.path, json_route)
    for status, codes in ROUTE_ERRORS.get(route.route_key, {}).items():
        errors[status] = list(dict.fromkeys(errors.get(status, []) + codes))
    errors = dict(sorted(errors.items()))
    responses = _declared_success(route, app, declared)
    for error_status in sorted(errors):
        codes = errors[error_status]
        responses[str(error_status)] = {
            "description": f"{_DESCRIPTIONS[error_status]}: {', '.join(codes)}",
            "content": {"application/json": {"schema": ERROR_SCHEMA_REF}},
            "x-error-codes": codes,
        }
    operation: dict = {
        "operationId": route.function_id.removesuffix("Function"),
        "summary": declared["summary"],
        **({"description": declared["description"]} if declared.get("description") else {}),
        "tags": declared["tags"],
        "x-auth": route_kind(roles),
    }
    if parameters:
        operation["parameters"] = parameters
    if has_body:
        operation["requestBody"] = declared["requestBody"]
    operation["responses"] = responses
    if roles is not None:
        operation["security"] = [{BEARER: []}]
    return operation, schemas


def answered_status(app: Any) -> int:
    """The success status the function's one route answers a returned dict with (``status_code=``)."""
    return (app._static_routes + app._dynamic_routes)[0].status_code  # noqa: SLF001 - one route per app


def undeclared(declared: dict, status_code: int) -> list[str]:
    """What the route's decorator lacks: its summary, tags, success status with a body model."""
    missing = []
    if not declared.get("summary"):
        missing.append('summary="<one line: what it does>"')
    if not declared.get("tags"):
        missing.append("tags=[Tag.<AREA>] (khadamat.api.responses.Tag)")
    successes = [code for code in declared.get("responses", {}) if str(code).startswith("2")]
    if len(successes) != 1:
        missing.append("status_code=<2xx> and responses={<2xx>: returns(<Model from khadamat.api.models_*>, "
                       '"<what it carries>")} (or NO_CONTENT for 204, text(...) for a non-JSON body)')
    else:
        content = declared["responses"][successes[0]].get("content", {})
        if successes[0] != "204" and not any(media.get("schema") for media in content.values()):
            missing.append(f"a model for the {successes[0]} body: responses={{{successes[0]}: returns(Model, ...)}}")
        if int(successes[0]) != status_code:
            missing.append(f"status_code={successes[0]} (it answers {status_code} as written)")
    return missing


def _declared_success(route: Route, app: Any, declared: dict) -> dict:
    """The route's own answers but errors (Powertools adds its 422 model: the envelope replaces it)."""
    missing = undeclared(declared, answered_status(app))
    if missing:
        raise RuntimeError(f"{route.route_key} ({route.function_id}): declare on its route decorator "
                           + "; ".join(missing))
    answers = {}
    for code, answer in declared["responses"].items():
        if int(code) >= 400:
            continue
        # Powertools gives a bodiless answer (204, 304) an empty JSON media type: none is sent
        content = {media: payload for media, payload in answer.get("content", {}).items() if payload}
        answers[code] = {**answer, "content": content} if content else {
            key: value for key, value in answer.items() if key != "content"}
    return answers


_POWERTOOLS_SCHEMAS = {"HTTPValidationError", "ValidationError", "ResponseValidationError"}


def _error_schemas() -> dict:
    from khadamat.api.schemas import ErrorEnvelope

    schema = ErrorEnvelope.model_json_schema(by_alias=True, ref_template="#/components/schemas/{model}")
    definitions = schema.pop("$defs", {})
    return {**definitions, "ErrorEnvelope": schema}


def build_document(template: Template | None = None) -> dict:
    template = template or Template()
    paths: dict[str, dict] = {}
    schemas: dict[str, dict] = {}
    for route, app in http_apps(template):
        operation, own_schemas = _operation(route, app)
        paths.setdefault(route.path, {})[route.method.lower()] = operation
        for name, schema in own_schemas.items():
            if name in _POWERTOOLS_SCHEMAS:
                continue
            if name in schemas and schemas[name] != schema:
                raise RuntimeError(f"two different models are both named {name}")
            schemas[name] = schema
    schemas.update(_error_schemas())
    used_tags = {tag for item in paths.values() for operation in item.values() for tag in operation["tags"]}
    return {
        "openapi": "3.1.0",
        "info": {"title": TITLE, "version": VERSION,
                 "description": "Generated by `make openapi` from template.yaml and the "
                                "functions' request and response models. Routes tagged local-only exist "
                                "only on the local stage."},
        "servers": [{"url": "/"}],
        "tags": [{"name": str(tag), "description": TAG_DESCRIPTIONS[tag]} for tag in Tag if tag in used_tags],
        "paths": paths,
        "components": {
            "schemas": dict(sorted(schemas.items())),
            "securitySchemes": {BEARER: {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}},
        },
    }


def render(document: dict) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def main() -> None:
    from infra.local.lambda_runtime import apply_environment

    template = Template()
    apply_environment(template, endpoint_url=None)
    DOCUMENT_PATH.write_text(render(build_document(template)), encoding="utf-8")
    print(f"wrote {DOCUMENT_PATH.relative_to(REPO_ROOT)}")


if __name__ == "__main__":
    main()
