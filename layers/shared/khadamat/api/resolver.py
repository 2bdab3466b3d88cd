"""The HTTP resolver every function uses, with the SPEC's error envelope and §1's rules.

``{"error": {"code": ..., "message": ...}}`` for every failure: domain errors carry
their status and code; malformed JSON is 400 BAD_REQUEST; field rules are 422
VALIDATION_ERROR naming the field; anything unexpected is logged and answered
without a stack trace.

The request and response rules every route shares (SPEC §1) live here, once:
``check_request`` (path ids, body size, media type, JSON shape and depth) runs before
anything reads the request, ``secure_response`` adds the security and cache headers to
every answer. ``khadamat.api.entry.http_entry`` calls both.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from functools import cached_property

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError

from khadamat.domain.errors import BadRequest, DomainError, NotFound, PayloadTooLarge, UnsupportedMediaType
from khadamat.observability import logger

_NOT_AN_OBJECT = {"json_invalid", "model_attributes_type", "dict_type", "model_type"}


def error_response(status: int, code: str, message: str, headers: dict | None = None) -> Response:
    return Response(status_code=status, content_type="application/json", headers=headers,
                    body=json.dumps({"error": {"code": code, "message": message}}))


def error_result(error: DomainError) -> dict:
    """A Lambda proxy result for an error raised before the resolver runs."""
    return {"statusCode": error.status,
            "headers": {"Content-Type": "application/json", **error.headers()},
            "body": json.dumps({"error": {"code": error.code, "message": error.message}})}


def _field_name(location: tuple) -> str:
    parts = [str(part) for part in location[1:] if not isinstance(part, int)]
    indexes = [part for part in location[1:] if isinstance(part, int)]
    name = ".".join(parts) or str(location[0])
    return f"{name}[{indexes[0]}]" if len(indexes) == 1 and not parts else name


def validation_error_response(error: RequestValidationError) -> Response:
    problems = error.errors()
    first = problems[0] if problems else {"type": "", "loc": ("body",), "msg": "invalid"}
    location = tuple(first.get("loc") or ("body",))
    if location[0] == "body" and (first.get("type") == "json_invalid"
                                  or (len(location) == 1 and first.get("type") in _NOT_AN_OBJECT)):
        return error_response(400, "BAD_REQUEST", "the body must be a JSON object")
    messages = [f"{_field_name(tuple(p.get('loc') or ()))}: {p.get('msg')}" for p in problems[:5]]
    return error_response(422, "VALIDATION_ERROR", "; ".join(messages))


# ---------------------------------------------------------------- request rules (SPEC §1)
MAX_BODY_BYTES = 65_536
MAX_JSON_DEPTH = 32  # the top-level object or array is level 1; each one inside adds a level
# Every id the API hands out fits: UUIDs, slugs, job names, FCM/APNs device tokens (≤ 512).
POSSIBLE_PATH_ID = re.compile(r"[A-Za-z0-9:_.\-]{1,512}")
NO_BODY, OPTIONAL_BODY, REQUIRED_BODY = "none", "optional", "required"
_BODY_METHODS = {"POST", "PUT", "PATCH"}


class KhadamatResolver(APIGatewayHttpResolver):
    """The resolver of one function; ``roles`` is who may call it (None: public).

    ``provider_body``: a webhook whose body is its provider's (raw bytes, the provider's
    content type), read by the handler itself; the JSON body rules do not apply to it.
    ``unknown_id_code``: the 404 code of the route's unknown ids (SPEC: PRO_NOT_FOUND for pros).
    """

    def __init__(self, roles: tuple | None, prefetch=None, provider_body: bool = False,
                 unknown_id_code: str = "NOT_FOUND"):
        super().__init__(enable_validation=True)
        self.roles = roles
        self.prefetch = prefetch
        self.provider_body = provider_body
        self.unknown_id_code = unknown_id_code

    def _to_response(self, result):
        """A handler's ``None`` is the route's declared 204 with an empty body (not ``null``)."""
        if result is None:
            route = self.context.get("_route")
            return Response(status_code=route.status_code if route else 204,
                            content_type="application/json", body="")
        return super()._to_response(result)

    @cached_property
    def body_rule(self) -> str:
        """What the function's one route takes: NO_BODY, OPTIONAL_BODY ({} when absent) or REQUIRED_BODY."""
        routes = self._static_routes + self._dynamic_routes  # one route per function (template.yaml)
        if not routes:
            return NO_BODY
        fields = routes[0].dependant.body_params
        if not fields:
            return OPTIONAL_BODY if routes[0].method in _BODY_METHODS else NO_BODY
        return REQUIRED_BODY if any(_needs_a_field(field) for field in fields) else OPTIONAL_BODY


def _needs_a_field(field) -> bool:
    """A required body parameter whose model has at least one required field."""
    if not field.required:
        return False
    model_fields = getattr(field.field_info.annotation, "model_fields", None)
    return model_fields is None or any(f.is_required() for f in model_fields.values())


def path_id(event: dict) -> str:
    """The value of the route's one path parameter ("" when it has none): template.yaml names
    it, the code that reads it does not."""
    values = list((event.get("pathParameters") or {}).values())
    return values[0] if len(values) == 1 else ""


def path_value(app: KhadamatResolver) -> str:
    """The current request's one path parameter, whatever template.yaml calls it: handlers copy
    the template's path and never name the parameter themselves."""
    return path_id(app.current_event.raw_event)


def check_request(app: KhadamatResolver, event: dict) -> None:
    """SPEC §1's rules for the path and body of every request (raises the DomainError to answer).

    A JSON body that passes is handed on as text with a JSON content type (an absent or empty
    body on a route whose fields are all optional becomes ``{}``): the handlers see one form.
    """
    for value in (event.get("pathParameters") or {}).values():
        if not POSSIBLE_PATH_ID.fullmatch(value):
            raise NotFound("no such resource", app.unknown_id_code)
    raw = _raw_body(event)
    if app.provider_body or app.body_rule == NO_BODY:
        return
    if not raw.strip():
        if app.body_rule == REQUIRED_BODY:
            raise BadRequest("the body must be a JSON object")
        _hand_on_json(event, "{}")
        return
    content_type = (event.get("headers") or {}).get("content-type") or ""
    if content_type and content_type.split(";", 1)[0].strip().lower() != "application/json":
        raise UnsupportedMediaType("the body must be sent as application/json")
    text = _json_object_text(raw)
    _hand_on_json(event, text)


def _raw_body(event: dict) -> bytes:
    body = event.get("body") or ""
    try:
        raw = base64.b64decode(body, validate=True) if event.get("isBase64Encoded") else body.encode("utf-8")
    except (binascii.Error, ValueError, UnicodeEncodeError):
        raise BadRequest("the body could not be read") from None
    if len(raw) > MAX_BODY_BYTES:
        raise PayloadTooLarge(f"the body is over {MAX_BODY_BYTES} bytes")
    return raw


def _reject_constant(name: str):
    raise ValueError(f"{name} is not JSON")


def _json_object_text(raw: bytes) -> str:
    """The body as text when it is a JSON object nested at most MAX_JSON_DEPTH levels."""
    try:
        text = raw.decode("utf-8")
        value = json.loads(text, parse_constant=_reject_constant)
    except (UnicodeDecodeError, ValueError, RecursionError):  # RecursionError: thousands of [
        raise BadRequest("the body must be a JSON object") from None
    if not isinstance(value, dict):  # never an array, not even of one object
        raise BadRequest("the body must be a JSON object")
    if _deeper_than(value, MAX_JSON_DEPTH):
        raise BadRequest(f"the body is nested deeper than {MAX_JSON_DEPTH} levels")
    return text


def _deeper_than(value, limit: int) -> bool:
    pending = [(value, 1)]
    while pending:  # iterative: the check itself must not recurse
        node, level = pending.pop()
        if level > limit:
            return True
        children = node.values() if isinstance(node, dict) else node
        pending.extend((child, level + 1) for child in children if isinstance(child, (dict, list)))
    return False


def _hand_on_json(event: dict, text: str) -> None:
    event["body"], event["isBase64Encoded"] = text, False
    event["headers"] = {**(event.get("headers") or {}), "content-type": "application/json"}


# ---------------------------------------------------------------- response headers (SPEC §1)
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Strict-Transport-Security": "max-age=31536000; includeSubDomains",
    "Referrer-Policy": "no-referrer",
}
JSON_CONTENT_SECURITY_POLICY = "default-src 'none'; frame-ancestors 'none'"
# SPEC §20's public content keeps its public caching whoever asks: the one exception to no-store.
PUBLIC_CONTENT_PATHS = ("/articles", "/sitemap.xml")


def cache_control_applies(path: str, request_headers: dict) -> bool:
    """Cache-Control: no-store for a request with Authorization and for every /auth/* path."""
    if any(path == public or path.startswith(public + "/") for public in PUBLIC_CONTENT_PATHS):
        return False
    return path.startswith("/auth/") or any(name.lower() == "authorization" for name in request_headers)


def secure_response(event: dict, result: dict) -> dict:
    """The Lambda proxy result with SPEC §1's security headers (errors included)."""
    headers = {**(result.get("headers") or {}), **SECURITY_HEADERS}
    content_type = next((v for k, v in headers.items() if k.lower() == "content-type"), "")
    if content_type.startswith("application/json"):
        headers["Content-Security-Policy"] = JSON_CONTENT_SECURITY_POLICY
    if cache_control_applies(event.get("rawPath") or "", event.get("headers") or {}):
        headers = {k: v for k, v in headers.items() if k.lower() != "cache-control"}
        headers["Cache-Control"] = "no-store"
    return {**result, "headers": headers}


def build_app(roles: tuple | None = None, prefetch=None, provider_body: bool = False,
              unknown_id_code: str = "NOT_FOUND") -> KhadamatResolver:
    """``roles=None``: public; ``roles=ANY_ROLE``: any signed-in account; else those roles.

    ``prefetch``: the item the request names, read in one request with the caller's account on
    every invocation (``khadamat.api.prefetch.in_path(SomeRef)``; ``target(app)`` hands it over).
    ``provider_body=True``: a webhook (its provider's content type, raw bytes).
    ``unknown_id_code``: what a path id that cannot exist answers with (404).
    """
    app = KhadamatResolver(roles, prefetch, provider_body, unknown_id_code)

    @app.exception_handler(DomainError)
    def on_domain_error(error: DomainError):
        return error_response(error.status, error.code, error.message, error.headers())

    @app.exception_handler(RequestValidationError)
    def on_validation_error(error: RequestValidationError):
        return validation_error_response(error)

    @app.exception_handler(UnicodeDecodeError)
    def on_undecodable_body(_error: UnicodeDecodeError):
        # A body that is not UTF-8 arrives base64-encoded; Powertools fails decoding it.
        return error_response(400, "BAD_REQUEST", "the body must be a JSON object")

    @app.not_found
    def on_not_found(_error):
        return error_response(404, "NOT_FOUND", "no such route")

    @app.exception_handler(Exception)
    def on_unexpected(error: Exception):
        logger.exception("unexpected error")
        return error_response(500, "INTERNAL_ERROR", "internal error; it has been logged")

    return app
