"""The HTTP resolver every function uses, with the SPEC's error envelope.

``{"error": {"code": ..., "message": ...}}`` for every failure: domain errors carry
their status and code; malformed JSON is 400 BAD_REQUEST; field rules are 422
VALIDATION_ERROR naming the field; anything unexpected is logged and answered
without a stack trace.
"""

from __future__ import annotations

import json

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError

from khadamat.domain.errors import DomainError
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


def json_response(body, status: int = 200) -> Response:
    return Response(status_code=status, content_type="application/json", body=json.dumps(body))


def no_content() -> Response:
    return Response(status_code=204, content_type="application/json", body="")


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


class KhadamatResolver(APIGatewayHttpResolver):
    """The resolver of one function; ``roles`` is who may call it (None: public)."""

    def __init__(self, roles: tuple | None, prefetch=None):
        super().__init__(enable_validation=True)
        self.roles = roles
        self.prefetch = prefetch


def build_app(roles: tuple | None = None, prefetch=None) -> KhadamatResolver:
    """``roles=None``: public; ``roles=ANY_ROLE``: any signed-in account; else those roles.

    ``prefetch(event)`` → {name: (model, PK, SK)}: items read in one request with the caller's
    account, on every invocation (``khadamat.api.auth.prefetched(app, name)``).
    """
    app = KhadamatResolver(roles, prefetch)

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
