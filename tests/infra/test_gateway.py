"""The local HTTP API over the fixture template: payload 2.0 events, responses, CORS, safety net."""

import base64
import json
import threading
from pathlib import Path

import pytest
import requests

from infra.local.gateway import build_http_event, is_text_content, make_server, translate_response
from infra.local.lambda_runtime import HandlerRegistry
from infra.local.template import Template

FIXTURE_TEMPLATE = Path(__file__).parent / "fixtures" / "template.yaml"
ALLOWED_ORIGIN = "https://app.example.ma"


@pytest.fixture(scope="module")
def base_url():
    server = make_server(Template(FIXTURE_TEMPLATE), 0, registry=HandlerRegistry())
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def echoed(response: requests.Response) -> dict:
    assert response.status_code == 200, response.text
    return response.json()["event"]


def test_event_is_payload_format_2(base_url):
    response = requests.get(f"{base_url}/items/abc%20d?x=1&x=2&empty=&y=%C3%A9",
                            headers={"X-Custom": "v", "Cookie": "a=1; b=2"})
    event = echoed(response)
    assert event["version"] == "2.0"
    assert event["routeKey"] == "GET /items/{id}"
    assert event["rawPath"] == "/items/abc%20d"
    assert event["rawQueryString"] == "x=1&x=2&empty=&y=%C3%A9"
    assert event["queryStringParameters"] == {"x": "1,2", "empty": "", "y": "é"}
    assert event["pathParameters"] == {"id": "abc d"}
    assert event["cookies"] == ["a=1", "b=2"]
    assert event["headers"]["x-custom"] == "v"
    assert "cookie" not in event["headers"]
    assert "stageVariables" not in event and "body" not in event
    assert event["isBase64Encoded"] is False
    context = event["requestContext"]
    assert context["http"]["method"] == "GET"
    assert context["http"]["path"] == "/items/abc%20d"
    assert context["http"]["sourceIp"] == "127.0.0.1"
    assert context["routeKey"] == "GET /items/{id}" and context["stage"] == "$default"
    assert context["requestId"] == response.headers["apigw-requestid"]
    assert isinstance(context["timeEpoch"], int)


def test_exact_route_beats_template(base_url):
    assert echoed(requests.get(f"{base_url}/items/special"))["routeKey"] == "GET /items/special"


def test_json_body_is_text_and_binary_body_is_base64(base_url):
    event = echoed(requests.post(f"{base_url}/items", json={"name": "Aïcha"}))
    assert json.loads(event["body"]) == {"name": "Aïcha"}
    assert event["isBase64Encoded"] is False
    event = echoed(requests.put(f"{base_url}/files/a/b.png", data=b"\x89PNG\x00",
                                headers={"content-type": "image/png"}))
    assert event["isBase64Encoded"] is True
    assert base64.b64decode(event["body"]) == b"\x89PNG\x00"
    assert event["pathParameters"] == {"proxy": "a/b.png"}
    assert event["routeKey"] == "ANY /files/{proxy+}"


def test_lambda_context(base_url):
    context = requests.get(f"{base_url}/items/1").json()["context"]
    assert context["function_name"] == "echofunction-local"
    assert context["memory_limit_in_mb"] == 256
    assert context["invoked_function_arn"].endswith(":function:echofunction-local")
    assert 0 < context["remaining_ms"] <= 7000


def test_handler_exception_is_a_json_500_without_details(base_url):
    response = requests.get(f"{base_url}/fail")
    assert response.status_code == 500
    assert response.json() == {"error": {"code": "INTERNAL_ERROR", "message": "Internal server error"}}
    assert "secret-detail" not in response.text and "Traceback" not in response.text


def test_malformed_lambda_response_is_a_500(base_url):
    response = requests.get(f"{base_url}/bad-body")
    assert response.status_code == 500
    assert response.json()["error"]["code"] == "INTERNAL_ERROR"


def test_result_without_status_code_is_200_json(base_url):
    response = requests.get(f"{base_url}/plain")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {"plain": True}


def test_cookies_and_headers_of_the_response(base_url):
    response = requests.get(f"{base_url}/cookies")
    assert response.status_code == 201
    assert response.headers["x-one"] == "1"
    assert response.raw.headers.getlist("set-cookie") == ["a=1; Path=/", "b=2"]


def test_base64_response_is_decoded(base_url):
    response = requests.get(f"{base_url}/binary")
    assert response.content == b"\x89PNG\x00\xff"
    assert response.headers["content-type"] == "image/png"


def test_unknown_route_and_wrong_method_are_json_404(base_url):
    for response in (requests.get(f"{base_url}/nope"), requests.delete(f"{base_url}/items")):
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "NOT_FOUND"


def test_cors_preflight_from_template(base_url):
    response = requests.options(f"{base_url}/items", headers={
        "Origin": ALLOWED_ORIGIN, "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type"})
    assert response.status_code == 204
    assert response.headers["access-control-allow-origin"] == ALLOWED_ORIGIN
    assert response.headers["access-control-allow-methods"] == "GET,POST"
    assert response.headers["access-control-allow-headers"] == "authorization,content-type"
    assert response.headers["access-control-max-age"] == "600"
    refused = requests.options(f"{base_url}/items", headers={
        "Origin": "https://other.example", "Access-Control-Request-Method": "POST"})
    assert "access-control-allow-origin" not in refused.headers


def test_cors_headers_on_responses_replace_the_handlers(base_url):
    response = requests.get(f"{base_url}/cookies", headers={"Origin": ALLOWED_ORIGIN})
    assert response.headers["access-control-allow-origin"] == ALLOWED_ORIGIN
    assert response.headers["access-control-expose-headers"] == "x-request-id"
    no_origin = requests.get(f"{base_url}/cookies")
    assert "access-control-allow-origin" not in no_origin.headers  # the handler's one is dropped


def test_head_matches_any_route_without_body(base_url):
    response = requests.head(f"{base_url}/files/x")
    assert response.status_code == 200 and response.content == b""
    assert requests.head(f"{base_url}/items/1").status_code == 404  # GET routes do not answer HEAD


def test_malformed_http_gets_json_not_html(base_url):
    import socket
    host, port = base_url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port))) as sock:
        sock.sendall(b"GARBAGE\r\n\r\n")
        sock.settimeout(5)
        chunks = []
        while chunk := sock.recv(4096):  # the gateway closes the connection after an error
            chunks.append(chunk)
        reply = b"".join(chunks).decode()
    assert reply.startswith("HTTP/1.1 400")
    assert '"BAD_REQUEST"' in reply and "<html" not in reply.lower()


def test_keep_alive_session_reuses_the_connection(base_url):
    with requests.Session() as session:
        for _ in range(3):
            assert session.get(f"{base_url}/items/1").status_code == 200


@pytest.mark.parametrize("content_type, text", [
    ("application/json", True), ("application/json; charset=utf-8", True), ("text/plain", True),
    ("application/problem+json", True), ("image/png", False), ("application/octet-stream", False),
    (None, False), ("multipart/form-data; boundary=x", False),
])
def test_text_content_types(content_type, text):
    assert is_text_content(content_type) is text


def test_build_event_without_query_or_params_omits_them():
    event = build_http_event("GET", "/health", "", [("Host", "localhost:3000")], b"", "GET /health", {})
    assert "queryStringParameters" not in event and "pathParameters" not in event
    assert "cookies" not in event
    assert event["requestContext"]["domainName"] == "localhost"


def test_translate_response_rules():
    assert translate_response("hello") == (200, [("content-type", "application/json")], b'"hello"')
    status, headers, body = translate_response({"statusCode": 204})
    assert (status, body) == (204, b"")
    status, headers, _ = translate_response({"statusCode": 200, "multiValueHeaders": {"x": ["1", "2"]}})
    assert ("x", "1,2") in headers


def test_client_ip_from_x_forwarded_for_only_from_the_loopback():
    from infra.local.gateway import client_ip

    forwarded = {"x-forwarded-for": "198.51.100.4, 10.0.0.1"}
    assert client_ip("127.0.0.1", forwarded) == "198.51.100.4"
    assert client_ip("::1", forwarded) == "198.51.100.4"
    assert client_ip("192.0.2.9", forwarded) == "192.0.2.9"  # a forged header from elsewhere
    assert client_ip("127.0.0.1", {}) == "127.0.0.1"
