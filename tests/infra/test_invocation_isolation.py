"""Concurrent invocations in the local runtime are isolated as Lambda isolates environments.

Powertools keeps the resolver's current event on a class (``BaseRouter.current_event``):
without isolation, an invocation that is paused between ``resolve`` storing its event and its
handler reading it sees the event of whatever function ran meanwhile. The pause is forced here
(a middleware waits), so the interleaving is certain rather than left to the scheduler.
"""

from __future__ import annotations

import sys
import threading

from infra.local.gateway import build_http_event
from infra.local.lambda_runtime import HandlerRegistry, invoke
from tests.conftest import TEMPLATE


def _event(path: str) -> dict:
    return build_http_event("GET", path, "", [], b"", f"GET {path}", {})


def test_an_invocation_paused_mid_request_keeps_its_own_event_while_another_function_runs():
    registry = HandlerRegistry()
    health, cities = TEMPLATE.function("HealthFunction"), TEMPLATE.function("ListCitiesFunction")
    registry.handler(health)  # loads health's module (copy 0), whose resolver we instrument
    health_app = sys.modules["khadamat_local_fn_HealthFunction"].app
    inside, resume, seen = threading.Event(), threading.Event(), {}

    def pause_then_look(app, next_middleware):
        inside.set()
        resume.wait(timeout=10)
        seen["path"] = app.current_event.raw_event["rawPath"]
        seen["function"] = app.lambda_context.function_name
        return next_middleware(app)

    health_app.use([pause_then_look])
    try:
        # Given a /health invocation paused after Powertools stored its event
        results = {}
        paused = threading.Thread(target=lambda: results.update(health=invoke(health, _event("/health"), registry)))
        paused.start()
        assert inside.wait(timeout=10)
        # When /cities runs to completion meanwhile, in another thread of the same process
        results["cities"] = invoke(cities, _event("/cities"), registry)
        resume.set()
        paused.join(timeout=10)
    finally:
        health_app._router_middlewares.remove(pause_then_look)
    # Then the paused invocation still reads its own event and context, and both answer right
    assert seen == {"path": "/health", "function": health.physical_name}
    assert results["health"]["statusCode"] == 200 and '"ok"' in results["health"]["body"]
    assert results["cities"]["statusCode"] == 200 and '"items"' in results["cities"]["body"]
