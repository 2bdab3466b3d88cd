"""SPEC §1 request and response rules, enforced once for every route (khadamat.api.resolver).

Bodies: no Content-Type is JSON; another type on a JSON route → 415; empty (where a body is
needed), not JSON, not an object, nested deeper than 32 → 400; over 64 KiB → 413; an absent
or empty body on a route whose fields are all optional means {}. Impossible path ids → 404.
Security headers on every answer; Cache-Control: no-store with Authorization and on /auth/*.
Every route of template.yaml is exercised, anonymously: the request rules come before
authentication (they cost no round trip), so no account is needed to reach them.
"""

from __future__ import annotations

import json
import re
from urllib.parse import quote

import pytest

from infra.local.gateway import build_http_event
from tests.conftest import TEMPLATE
from tests.integration.booking_helpers import signup_and_login

WEBHOOK_PREFIX = "/webhooks/"
BODY_ROUTES = sorted({r for r in TEMPLATE.routes if r.method in ("POST", "PUT", "PATCH")
                      and not r.path.startswith(WEBHOOK_PREFIX)}, key=lambda r: r.route_key)
MAX_JSON_DEPTH = 32  # SPEC §1: the top-level value is level 1
OPTIONAL_BODY_ROUTES = ["POST /bookings/{id}/confirm", "POST /bookings/{id}/decline",
                        "POST /bookings/{id}/cancel", "POST /pro/kyc/submit"]


def _concrete(path: str) -> str:
    return path.replace("{proxy+}", "x/y").replace("{", "").replace("}", "")


def send(api, method: str, path: str, body: bytes = b"", content_type: str | None = None,
         token: str | None = None, headers: dict | None = None):
    """One request as API Gateway sends it (bodies without a text type arrive base64-encoded)."""
    route, params = api.gateway.routes.match(method, path)
    pairs = [("content-type", content_type)] if content_type else []
    pairs += list((headers or {}).items())
    if token:
        pairs.append(("authorization", f"Bearer {token}"))
    event = build_http_event(method, path, "", pairs, body, route.route_key, params)
    status, header_list, payload = api.gateway.call_function(route, event)
    reply_headers = {name.lower(): value for name, value in header_list}
    return status, (json.loads(payload) if payload else None), reply_headers


def nested(depth: int) -> bytes:
    """A JSON object whose deepest value sits at `depth` (the top-level object is level 1)."""
    return (b'{"a":' * (depth - 1)) + b"{}" + (b"}" * (depth - 1))


BAD_BODIES = {
    "not JSON": b"phone=0612345678",
    "array of one object": b'[{"proId": "x"}]',
    "empty array": b"[]",
    "null": b"null",
    "string": b'"text"',
    "number": b"42",
    "5,000 nested [": b"[" * 5000,
    "5,000 nested objects": nested(5000),
    "33 levels": nested(MAX_JSON_DEPTH + 1),
}


@pytest.mark.parametrize("route", BODY_ROUTES, ids=lambda r: r.route_key)
def test_every_json_route_answers_bad_bodies_with_400_415_413_never_5xx(api, route):
    path = _concrete(route.path)
    # When a body comes as plain text or a form
    for content_type in ("text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x",
                         "application/xml", "application/jsonx"):
        status, body, _ = send(api, route.method, path, b'{"a": 1}', content_type)
        # Then it is refused as an unsupported media type
        assert (status, body["error"]["code"]) == (415, "UNSUPPORTED_MEDIA_TYPE"), (content_type, body)
    # When the body is not a JSON object (with a JSON type, a charset, or no type at all)
    for content_type in ("application/json", "application/json; charset=utf-8", None):
        for name, raw in BAD_BODIES.items():
            status, body, _ = send(api, route.method, path, raw, content_type)
            # Then 400 BAD_REQUEST
            assert (status, body["error"]["code"]) == (400, "BAD_REQUEST"), (name, content_type, body)
    # When the body is over 64 KiB
    status, body, _ = send(api, route.method, path, b'{"a": "' + b"x" * 65_530 + b'"}', "application/json")
    assert (status, body["error"]["code"]) == (413, "PAYLOAD_TOO_LARGE")


def test_a_body_at_the_limits_passes_the_entry(api):
    # Given a body of exactly 65,536 bytes, and one nested exactly 32 levels deep
    padding = b'{"phone": "' + b"1" * (65_536 - len(b'{"phone": ""}')) + b'"}'
    assert len(padding) == 65_536
    for raw in (padding, nested(MAX_JSON_DEPTH)):
        # When they are sent to signup
        status, body, _ = send(api, "POST", "/auth/signup", raw, "application/json")
        # Then the field rules answer (422), not the entry
        assert (status, body["error"]["code"]) == (422, "VALIDATION_ERROR"), body


def test_an_empty_body_is_400_where_a_body_is_needed(api):
    for content_type in ("application/json", None):
        status, body, _ = send(api, "POST", "/auth/login", b"", content_type)
        assert (status, body["error"]["code"]) == (400, "BAD_REQUEST"), body


def test_a_one_element_array_is_never_taken_for_its_element(api):
    client = signup_and_login(api, "CLIENT")
    status, body, _ = send(api, "POST", "/bookings", b'[{"proId": "p", "categoryId": "plomberie"}]',
                           "application/json", client.token)
    assert (status, body["error"]["code"]) == (400, "BAD_REQUEST"), body


@pytest.mark.parametrize("route_key", OPTIONAL_BODY_ROUTES)
def test_an_absent_or_empty_body_means_an_empty_object_where_every_field_is_optional(api, route_key):
    method, path = route_key.split(" ", 1)
    path = _concrete(path)
    client = signup_and_login(api, "CLIENT")
    # When the body is absent, empty with a JSON type, or empty with another type
    for raw, content_type in ((b"", None), (b"", "application/json"), (b"", "text/plain"), (b"{}", None)):
        status, body, _ = send(api, method, path, raw, content_type, client.token)
        # Then the entry lets it through as {}: the route's own rules answer (role, existence)
        assert status in (403, 404, 409), (raw, content_type, body)


def test_a_webhook_keeps_its_provider_body(api):
    # A Stripe delivery without a valid signature is refused by the webhook, not as a media type
    status, body, _ = send(api, "POST", "/webhooks/stripe", b'{"id": "evt_1"}', "application/json; charset=utf-8")
    assert status == 400 and body["error"]["code"] != "UNSUPPORTED_MEDIA_TYPE", body


# ---------------------------------------------------------------- impossible path ids

IMPOSSIBLE_IDS = ["abc]def", "a" * 600, "x y", "a'b", "<script>", "é", "a%00b", "a\\b", "{id}"]


PATH_ROUTES = sorted({r for r in TEMPLATE.routes if "{" in r.path and "+}" not in r.path},
                     key=lambda r: r.route_key)


@pytest.mark.parametrize("route", PATH_ROUTES, ids=lambda r: r.route_key)
def test_a_path_id_that_cannot_exist_is_404_on_every_route(api, route):
    for bad in IMPOSSIBLE_IDS:
        # When the id in the path has odd characters or is too long (anonymous: ids come first)
        params = {name: bad for name in re.findall(r"{(\w+)}", route.path)}
        raw_path = re.sub(r"{\w+}", quote(bad, safe=""), route.path)
        event = build_http_event(route.method, raw_path, "", [], b"", route.route_key, params)
        status, _headers, payload = api.gateway.call_function(route, event)
        # Then 404 NOT_FOUND, as for any id that does not exist
        expected = "PRO_NOT_FOUND" if route.path.startswith("/pros/") else "NOT_FOUND"  # the route's own code
        assert (status, json.loads(payload)["error"]["code"]) == (404, expected), (bad[:20], payload)


def test_an_exception_id_with_a_bracket_is_404_not_500(api):
    pro = signup_and_login(api, "PRO", cityId="casablanca", whatsapp="0700000001")
    reply = api.delete("/pro/availability/exceptions/abc]def", token=pro.token)
    assert (reply.status, reply.body["error"]["code"]) == (404, "NOT_FOUND")


# ---------------------------------------------------------------- response headers

SECURITY_HEADERS = {
    "x-content-type-options": "nosniff",
    "strict-transport-security": "max-age=31536000; includeSubDomains",
    "referrer-policy": "no-referrer",
    "content-security-policy": "default-src 'none'; frame-ancestors 'none'",
}


def _assert_secure(headers: dict, what: str) -> None:
    for name, value in SECURITY_HEADERS.items():
        assert headers.get(name) == value, (what, name, headers)


def test_every_answer_carries_the_security_headers_errors_included(api):
    answers = {
        "health": send(api, "GET", "/health"),
        "categories": send(api, "GET", "/categories"),
        "unknown route": send(api, "GET", "/no/such/route"),
        "no token": send(api, "GET", "/me"),
        "bad token": send(api, "GET", "/me", token="junk"),
        "bad body": send(api, "POST", "/auth/login", b"[", "application/json"),
        "media type": send(api, "POST", "/auth/login", b"x", "text/plain"),
        "bad login": send(api, "POST", "/auth/login", b'{"login": "0600000000", "password": "nope-nope"}'),
    }
    for what, (status, _body, headers) in answers.items():
        _assert_secure(headers, what)


def test_no_store_on_authenticated_requests_and_on_auth_routes_only(api):
    client = signup_and_login(api, "CLIENT")
    stored = {
        "signed in": send(api, "GET", "/me", token=client.token),
        "bad token": send(api, "GET", "/me", token="junk"),
        "signed-in public route": send(api, "GET", "/categories", token=client.token),
        "login refused": send(api, "POST", "/auth/login", b'{"login": "0600000000", "password": "nope-nope"}'),
        "login": send(api, "POST", "/auth/login", json.dumps({"login": client.phone,
                                                               "password": "motdepasse1"}).encode()),
        "auth bad body": send(api, "POST", "/auth/refresh", b"[]", "application/json"),
    }
    for what, (_status, _body, headers) in stored.items():
        assert headers.get("cache-control") == "no-store", (what, headers)
    # An anonymous public read keeps whatever caching its route chooses
    _status, _body, headers = send(api, "GET", "/categories")
    assert headers.get("cache-control") != "no-store"


def test_public_content_is_the_one_exception_to_no_store():
    from khadamat.api.resolver import cache_control_applies

    with_token = {"authorization": "Bearer x"}
    assert cache_control_applies("/me", with_token)
    assert cache_control_applies("/auth/login", {})
    assert not cache_control_applies("/categories", {})
    assert not cache_control_applies("/articles", with_token)
    assert not cache_control_applies("/articles/some-slug", with_token)
    assert not cache_control_applies("/sitemap.xml", with_token)
    assert cache_control_applies("/articlesx", with_token)
