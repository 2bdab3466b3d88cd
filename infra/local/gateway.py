"""A local API Gateway HTTP API (payload format 2.0) over the routes of template.yaml.

Started by `python -m infra.local.run` (`make run`), with the embedded AWS and the seed.
"""

from __future__ import annotations

import base64
import ipaddress
import json
import os
import sys
import traceback
import uuid
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, unquote

from infra.local.console import console_asset
from infra.local.docs import local_extra
from infra.local.lambda_runtime import REGISTRY, HandlerRegistry, invoke
from infra.local.template import ACCOUNT_ID, Route, Template

API_ID = "local"
MAX_BODY_BYTES = 10 * 1024 * 1024  # HTTP API payload limit
INTERNAL_ERROR = {"error": {"code": "INTERNAL_ERROR", "message": "Internal server error"}}
NOT_FOUND = {"error": {"code": "NOT_FOUND", "message": "Not Found"}}


# ----------------------------------------------------------------- routing


def _segments(path: str) -> list[str]:
    return path.split("/")[1:]


def _segment_rank(segment: str) -> int:
    if segment.startswith("{") and segment.endswith("+}"):
        return 2
    return 1 if segment.startswith("{") and segment.endswith("}") else 0


class RouteTable:
    """HTTP API route selection: exact paths, then most specific templates, then `$default`."""

    def __init__(self, routes: list[Route]):
        self.default = next((r for r in routes if r.path == "$default"), None)
        paths = [r for r in routes if r.path != "$default"]
        self.exact = [r for r in paths if "{" not in r.path]
        templated = [r for r in paths if "{" in r.path]
        self.templated = sorted(templated, key=lambda r: [_segment_rank(s) for s in _segments(r.path)])

    def match(self, method: str, raw_path: str) -> tuple[Route, dict[str, str]] | None:
        exact = [r for r in self.exact if r.path == raw_path]
        found = _by_method(exact, method)
        if found:
            return found, {}
        for path in dict.fromkeys(r.path for r in self.templated):
            params = match_template(path, raw_path)
            if params is None:
                continue
            found = _by_method([r for r in self.templated if r.path == path], method)
            if found:
                return found, params
        return (self.default, {}) if self.default else None


def _by_method(routes: list[Route], method: str) -> Route | None:
    return next((r for r in routes if r.method == method), None) or next(
        (r for r in routes if r.method == "ANY"), None)


def match_template(template_path: str, raw_path: str) -> dict[str, str] | None:
    """Path parameters when `raw_path` matches e.g. /pros/{proId} or /files/{proxy+}, else None."""
    wanted, actual = _segments(template_path), _segments(raw_path)
    params: dict[str, str] = {}
    for index, segment in enumerate(wanted):
        if _segment_rank(segment) == 2:
            rest = actual[index:]
            if not rest or rest == [""]:
                return None
            params[segment[1:-2]] = unquote("/".join(rest))
            return params
        if index >= len(actual):
            return None
        if _segment_rank(segment) == 1:
            if actual[index] == "":
                return None
            params[segment[1:-1]] = unquote(actual[index])
        elif segment != actual[index]:
            return None
    return params if len(actual) == len(wanted) else None


# ----------------------------------------------------------------- event (payload 2.0)

_TEXT_SUBTYPES = ("json", "xml", "javascript", "x-www-form-urlencoded")


def is_text_content(content_type: str | None) -> bool:
    if not content_type:
        return False
    mime = content_type.split(";", 1)[0].strip().lower()
    main, _, sub = mime.partition("/")
    return main == "text" or sub in _TEXT_SUBTYPES or sub.endswith(("+json", "+xml"))


def _joined_headers(pairs: list[tuple[str, str]]) -> dict[str, str]:
    headers: dict[str, str] = {}
    for name, value in pairs:
        key = name.lower()
        headers[key] = f"{headers[key]},{value}" if key in headers else value
    return headers


def _query_parameters(raw_query: str) -> dict[str, str]:
    params: dict[str, str] = {}
    for key, value in parse_qsl(raw_query, keep_blank_values=True):
        params[key] = f"{params[key]},{value}" if key in params else value
    return params


def client_ip(socket_ip: str, headers: dict[str, str]) -> str:
    """The client's address as API Gateway would report it (SPEC §1): from the loopback (the
    stand-in for the edge) the leftmost X-Forwarded-For entry, else the socket's address."""
    forwarded = headers.get("x-forwarded-for", "").split(",")[0].strip()
    if forwarded and ipaddress.ip_address(socket_ip).is_loopback:
        return forwarded
    return socket_ip


def build_http_event(method: str, raw_path: str, raw_query: str, header_pairs: list[tuple[str, str]],
                     body: bytes, route_key: str, path_params: dict[str, str],
                     source_ip: str = "127.0.0.1") -> dict[str, Any]:
    headers = _joined_headers(header_pairs)
    cookie_header = headers.pop("cookie", None)
    now = datetime.now(timezone.utc)
    host = headers.get("host", "127.0.0.1").split(":", 1)[0]
    event: dict[str, Any] = {
        "version": "2.0", "routeKey": route_key, "rawPath": raw_path, "rawQueryString": raw_query,
    }
    if cookie_header:
        event["cookies"] = [c.strip() for c in cookie_header.replace(";", ",").split(",") if c.strip()]
    event["headers"] = headers
    if raw_query:
        event["queryStringParameters"] = _query_parameters(raw_query)
    event["requestContext"] = {
        "accountId": ACCOUNT_ID, "apiId": API_ID, "domainName": host,
        "domainPrefix": host.split(".", 1)[0],
        "http": {"method": method, "path": raw_path, "protocol": "HTTP/1.1",
                 "sourceIp": source_ip, "userAgent": headers.get("user-agent", "")},
        "requestId": _request_id(), "routeKey": route_key, "stage": "$default",
        "time": now.strftime("%d/%b/%Y:%H:%M:%S +0000"), "timeEpoch": int(now.timestamp() * 1000),
    }
    if path_params:
        event["pathParameters"] = path_params
    if body:
        _put_body(event, body, headers.get("content-type"))
    else:
        event["isBase64Encoded"] = False
    return event


def _put_body(event: dict, body: bytes, content_type: str | None) -> None:
    if is_text_content(content_type):
        try:
            event["body"], event["isBase64Encoded"] = body.decode("utf-8"), False
            return
        except UnicodeDecodeError:
            pass
    event["body"], event["isBase64Encoded"] = base64.b64encode(body).decode("ascii"), True


def _request_id() -> str:
    return base64.b32encode(uuid.uuid4().bytes).decode("ascii").rstrip("=")[:16]


# ----------------------------------------------------------------- response (payload 2.0)


class BadLambdaResponse(ValueError):
    """The handler returned something API Gateway would answer with a 500."""


def translate_response(result: Any) -> tuple[int, list[tuple[str, str]], bytes]:
    """(status, headers, body) from a handler's result, per the HTTP API 2.0 rules."""
    if not (isinstance(result, dict) and "statusCode" in result):
        return 200, [("content-type", "application/json")], json.dumps(result).encode("utf-8")
    status = result["statusCode"]
    if not isinstance(status, int) or not 100 <= status <= 599:
        raise BadLambdaResponse(f"statusCode must be an integer HTTP status, got {status!r}")
    headers = [(str(k), str(v)) for k, v in (result.get("headers") or {}).items()]
    for name, values in (result.get("multiValueHeaders") or {}).items():
        headers.append((str(name), ",".join(str(v) for v in values)))
    headers += [("set-cookie", str(c)) for c in result.get("cookies") or []]
    return status, headers, _response_body(result)


def _response_body(result: dict) -> bytes:
    body = result.get("body")
    if body is None:
        return b""
    if not isinstance(body, str):
        raise BadLambdaResponse(f"body must be a string, got {type(body).__name__}")
    if result.get("isBase64Encoded"):
        return base64.b64decode(body)
    return body.encode("utf-8")


# ----------------------------------------------------------------- CORS (CorsConfiguration)


def _origin_matches(allowed: str, origin: str) -> bool:
    """An exact origin, or (local stage) "<scheme>://<host>:*": that scheme and host, any port."""
    if not allowed.endswith(":*"):
        return origin == allowed
    host = allowed[:-2]
    port = origin[len(host) + 1:] if origin.startswith(host + ":") else None
    return origin == host or (port is not None and port.isdigit())


class Cors:
    def __init__(self, config: dict | None):
        self.config = config

    def _origin_allowed(self, origin: str | None) -> str | None:
        if not self.config or not origin:
            return None
        allowed = self.config.get("AllowOrigins") or []
        if "*" in allowed:
            return "*"
        return origin if any(_origin_matches(entry, origin) for entry in allowed) else None

    def is_preflight(self, method: str, headers: dict[str, str]) -> bool:
        return (bool(self.config) and method == "OPTIONS" and "origin" in headers
                and "access-control-request-method" in headers)

    def preflight_headers(self, headers: dict[str, str]) -> list[tuple[str, str]]:
        origin = self._origin_allowed(headers.get("origin"))
        if origin is None:
            return []
        out = [("access-control-allow-origin", origin)]
        methods = self.config.get("AllowMethods") or []
        requested = headers["access-control-request-method"].upper()
        if "*" in methods or requested in [m.upper() for m in methods]:
            out.append(("access-control-allow-methods", ",".join(methods) if "*" not in methods else requested))
        allow_headers = self.config.get("AllowHeaders") or []
        if allow_headers:
            requested_headers = headers.get("access-control-request-headers", "")
            value = requested_headers if "*" in allow_headers else ",".join(allow_headers)
            if value:
                out.append(("access-control-allow-headers", value))
        if self.config.get("MaxAge") is not None:
            out.append(("access-control-max-age", str(self.config["MaxAge"])))
        if self.config.get("AllowCredentials"):
            out.append(("access-control-allow-credentials", "true"))
        return out

    def apply(self, request_headers: dict[str, str], response_headers: list[tuple[str, str]]) -> list:
        """API Gateway replaces the integration's CORS headers with its own."""
        if not self.config:
            return response_headers
        kept = [(k, v) for k, v in response_headers if not k.lower().startswith("access-control-")]
        origin = self._origin_allowed(request_headers.get("origin"))
        if origin is None:
            return kept
        kept.append(("access-control-allow-origin", origin))
        if self.config.get("ExposeHeaders"):
            kept.append(("access-control-expose-headers", ",".join(self.config["ExposeHeaders"])))
        if self.config.get("AllowCredentials"):
            kept.append(("access-control-allow-credentials", "true"))
        return kept


# ----------------------------------------------------------------- HTTP server


class Gateway:
    """Everything a request needs: template, routes, CORS and the handler registry."""

    def __init__(self, template: Template, registry: HandlerRegistry = REGISTRY):
        self.template = template
        self.routes = RouteTable(template.routes)
        self.functions = {f.logical_id: f for f in template.functions}
        self.cors = Cors(template.http_api_cors)
        self.registry = registry

    def call_function(self, route: Route, event: dict) -> tuple[int, list, bytes]:
        try:
            return translate_response(invoke(self.functions[route.function_id], event, self.registry))
        except Exception:  # the gateway's safety net: log it, never show it
            print(f"gateway: {route.function_id} failed on {route.route_key}", file=sys.stderr)
            traceback.print_exc(file=sys.stderr)
            return 500, [("content-type", "application/json")], json.dumps(INTERNAL_ERROR).encode()


class GatewayRequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    gateway: Gateway  # set on the subclass made by make_server

    def version_string(self) -> str:
        return "khadamat-local-gateway"

    def do_request(self) -> None:
        request_id = _request_id()
        raw_path, _, raw_query = self.path.partition("?")
        header_pairs = list(self.headers.items())
        headers = _joined_headers(header_pairs)
        body = self._read_body()
        if body is None:
            return
        if self.gateway.cors.is_preflight(self.command, headers):
            self._send(204, self.gateway.cors.preflight_headers(headers), b"", request_id)
            return
        extra = local_extra(self.command, raw_path) or console_asset(self.command, raw_path)
        if extra is not None:
            self._send(*extra, request_id)
            return
        matched = self.gateway.routes.match(self.command, raw_path)
        if matched is None:
            self._send_json(404, NOT_FOUND, request_id, headers)
            return
        route, params = matched
        event = build_http_event(self.command, raw_path, raw_query, header_pairs, body,
                                 route.route_key, params, client_ip(self.client_address[0], headers))
        event["requestContext"]["requestId"] = request_id
        status, response_headers, response_body = self.gateway.call_function(route, event)
        self._send(status, self.gateway.cors.apply(headers, response_headers), response_body, request_id)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = do_request

    def _read_body(self) -> bytes | None:
        if "chunked" in self.headers.get("transfer-encoding", "").lower():
            return self._read_chunked()
        try:
            length = int(self.headers.get("content-length") or 0)
        except ValueError:
            self.send_error(400, "Bad Content-Length")
            return None
        if length > MAX_BODY_BYTES:
            self.close_connection = True
            self._send_json(413, {"error": {"code": "PAYLOAD_TOO_LARGE",
                                            "message": "Request body is over 10 MB"}}, _request_id())
            return None
        return self.rfile.read(length) if length else b""

    def _read_chunked(self) -> bytes | None:
        chunks, total = [], 0
        while True:
            size = int(self.rfile.readline().split(b";", 1)[0].strip() or b"0", 16)
            if size == 0:
                while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                    pass
                return b"".join(chunks)
            total += size
            if total > MAX_BODY_BYTES:
                self.close_connection = True
                self._send_json(413, {"error": {"code": "PAYLOAD_TOO_LARGE",
                                                "message": "Request body is over 10 MB"}}, _request_id())
                return None
            chunks.append(self.rfile.read(size))
            self.rfile.readline()

    def _send_json(self, status: int, payload: dict, request_id: str,
                   request_headers: dict[str, str] | None = None) -> None:
        headers = [("content-type", "application/json")]
        if request_headers is not None:
            headers = self.gateway.cors.apply(request_headers, headers)
        self._send(status, headers, json.dumps(payload).encode(), request_id)

    def _send(self, status: int, headers: list[tuple[str, str]], body: bytes, request_id: str) -> None:
        self.send_response(status)
        for name, value in headers:
            if name.lower() not in ("content-length", "connection", "transfer-encoding"):
                self.send_header(name, value)
        self.send_header("apigw-requestid", request_id)
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD" and body:
            self.wfile.write(body)

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """Malformed HTTP gets a JSON error, never the default HTML page."""
        self.close_connection = True
        self.request_version = "HTTP/1.1"  # always answer with a status line, even to garbage
        codes = {400: "BAD_REQUEST", 404: "NOT_FOUND", 413: "PAYLOAD_TOO_LARGE", 414: "URI_TOO_LONG",
                 431: "HEADERS_TOO_LARGE", 501: "NOT_IMPLEMENTED", 505: "BAD_REQUEST"}
        status = code if code < 500 else 400
        payload = {"error": {"code": codes.get(code, "BAD_REQUEST"), "message": message or "Bad request"}}
        body = json.dumps(payload).encode()
        try:
            self.send_response(status, message)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(body)))
            self.send_header("connection", "close")
            self.end_headers()
            if getattr(self, "command", None) != "HEAD":
                self.wfile.write(body)
        except OSError:
            pass

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        if os.environ.get("KHADAMAT_GATEWAY_QUIET") != "1":
            sys.stderr.write(f"{self.address_string()} - {format % args}\n")


class GatewayServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128  # the default listen backlog (5) resets bursts of concurrent clients


def make_server(template: Template, port: int, host: str = "127.0.0.1",
                registry: HandlerRegistry = REGISTRY) -> GatewayServer:
    handler_class = type("BoundGatewayRequestHandler", (GatewayRequestHandler,),
                         {"gateway": Gateway(template, registry)})
    return GatewayServer((host, port), handler_class)
