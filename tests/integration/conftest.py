"""Handlers in-process under moto: routes from template.yaml, real v2 events, fake context."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest

from infra.bench.round_trips import decoded_body
from infra.local.gateway import Gateway, build_http_event
from infra.local.resources import in_process_aws
from tests.conftest import TEMPLATE


@dataclass
class Reply:
    status: int
    body: Any
    headers: dict


class Api:
    """Calls a route of template.yaml the way API Gateway would, in this process."""

    def __init__(self):
        self.gateway = Gateway(TEMPLATE)

    def call(self, method: str, path: str, body: Any = None, token: str | None = None,
             headers: dict | None = None, raw_body: str | None = None,
             source_ip: str = "127.0.0.1") -> Reply:
        path, _, query = path.partition("?")
        route, params = self.gateway.routes.match(method, path)
        pairs = [("content-type", "application/json"), *(headers or {}).items()]
        if token:
            pairs.append(("authorization", f"Bearer {token}"))
        data = raw_body if raw_body is not None else (json.dumps(body) if body is not None else "")
        event = build_http_event(method, path, query, pairs, data.encode(), route.route_key, params,
                                 source_ip)
        status, header_list, payload = self.gateway.call_function(route, event)
        return Reply(status, decoded_body(payload, dict(header_list)), dict(header_list))

    def get(self, path, **kw):
        return self.call("GET", path, **kw)

    def post(self, path, body=None, **kw):
        return self.call("POST", path, body, **kw)

    def put(self, path, body=None, **kw):
        return self.call("PUT", path, body, **kw)

    def patch(self, path, body=None, **kw):
        return self.call("PATCH", path, body, **kw)

    def delete(self, path, **kw):
        return self.call("DELETE", path, **kw)


@pytest.fixture
def aws():
    with in_process_aws(TEMPLATE):
        yield


@pytest.fixture
def api(aws) -> Api:
    return Api()
