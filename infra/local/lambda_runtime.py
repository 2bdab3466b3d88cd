"""A minimal local Lambda runtime: environment, handler loading, context, invocation.

Shared by the gateway (HTTP routes), `invoke` (one-shot CLI) and job runners.
Handlers are loaded from their file (functions/<dir>/app.py) under a unique
module name per function, so every function's `app.py` can coexist.
"""

from __future__ import annotations

import importlib.util
import json
import os
import secrets
import sys
import threading
import time
import uuid
from datetime import datetime, timezone
from types import ModuleType
from typing import Any, Callable

from infra.local.template import ACCOUNT_ID, REGION, Function, Schedule, Template

FAKE_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                    "AWS_SECURITY_TOKEN": "testing", "AWS_SESSION_TOKEN": "testing"}


class MarshalError(RuntimeError):
    """The handler's result cannot be serialised to JSON (Lambda: Runtime.MarshalError)."""


def apply_environment(template: Template, endpoint_url: str | None) -> dict[str, str]:
    """Set os.environ as every function would see it (they share one process here)."""
    merged, conflicts = template.merged_environment()
    for key in conflicts:
        print(f"local runtime: env var {key} differs between functions; using the first value",
              file=sys.stderr)
    env = {**merged, "AWS_DEFAULT_REGION": REGION, "AWS_REGION": REGION, "STAGE": "local",
           "POWERTOOLS_TRACE_DISABLED": "true", "AWS_XRAY_SDK_ENABLED": "false",
           "POWERTOOLS_METRICS_DISABLED": "true",
           # Secrets Manager stand-in: the local stage reads secrets from env vars.
           "JWT_SECRET": os.environ.get("JWT_SECRET") or secrets.token_urlsafe(32),
           "PAGE_TOKEN_SECRET": os.environ.get("PAGE_TOKEN_SECRET") or secrets.token_urlsafe(32),
           # WhatsApp (issue 17): quick-reply payload key; the Twilio stand-in's auth token (it
           # signs its webhooks with it, the webhooks verify with it)
           "WHATSAPP_ACTION_SECRET": os.environ.get("WHATSAPP_ACTION_SECRET") or secrets.token_urlsafe(32),
           "TWILIO_LOCAL_AUTH_TOKEN": os.environ.get("TWILIO_LOCAL_AUTH_TOKEN") or secrets.token_hex(16)}
    if endpoint_url:
        env["AWS_ENDPOINT_URL"] = endpoint_url
    if not _external_endpoint_with_credentials(endpoint_url):
        env.update(FAKE_CREDENTIALS)  # embedded AWS: never let real credentials near it
    os.environ.update(env)
    return env


def _external_endpoint_with_credentials(endpoint_url: str | None) -> bool:
    """A user-chosen AWS_ENDPOINT_URL keeps the user's own credentials, if any."""
    return bool(endpoint_url and os.environ.get("AWS_ENDPOINT_URL") == endpoint_url
                and os.environ.get("AWS_ACCESS_KEY_ID"))


class LambdaContext:
    """The attributes of the Python runtime's context object that code reads."""

    def __init__(self, function: Function):
        self.function_name = function.physical_name
        self.function_version = "$LATEST"
        self.invoked_function_arn = function.arn
        self.memory_limit_in_mb = function.memory_mb
        self.aws_request_id = str(uuid.uuid4())
        self.log_group_name = f"/aws/lambda/{function.physical_name}"
        self.log_stream_name = f"{datetime.now(timezone.utc):%Y/%m/%d}/[$LATEST]{uuid.uuid4().hex}"
        self.identity = None
        self.client_context = None
        self._deadline = time.monotonic() + function.timeout_s

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


class HandlerRegistry:
    """Thread-safe handlers, like Lambda: one invocation at a time per loaded copy.

    A handler module keeps per-invocation state (the Powertools resolver's current event
    and context), so concurrent invocations of one function each get their own copy of
    the module, as Lambda gives each its own execution environment; copies are reused.
    Powertools keeps that state on its router *class*, shared by every copy of every
    function in this process: ``isolate_resolver_state`` moves it onto each resolver.
    """

    def __init__(self) -> None:
        self._idle: dict[str, list[Callable]] = {}
        self._copies: dict[str, int] = {}
        self._lock = threading.Lock()

    def acquire(self, function: Function) -> Callable:
        with self._lock:
            idle = self._idle.setdefault(function.logical_id, [])
            if idle:
                return idle.pop()
            copy = self._copies.get(function.logical_id, 0)
            self._copies[function.logical_id] = copy + 1
            module = _load_module(function, copy)
            return getattr(module, function.handler_function_name)

    def release(self, function: Function, handler: Callable) -> None:
        with self._lock:
            self._idle.setdefault(function.logical_id, []).append(handler)

    def handler(self, function: Function) -> Callable:
        handler = self.acquire(function)
        self.release(function, handler)
        return handler


def isolate_resolver_state() -> None:
    """Each resolver keeps its own current event and context (Powertools keeps them on a class).

    ``ApiGatewayResolver.resolve`` stores the event in ``BaseRouter.current_event``, a class
    attribute every resolver of the process reads through ``self.current_event``. In Lambda one
    environment runs one invocation at a time, so that is harmless; here threads of one process
    run many functions at once, and a request could be validated against another's event. An
    instance attribute of the same name shadows the class attribute for every read through the
    resolver (middlewares, validation, handlers), so each invocation, on its own copy of its
    function's module, sees only its own event — while the invocations still run concurrently.
    """
    try:
        from aws_lambda_powertools.event_handler.api_gateway import ApiGatewayResolver
    except ImportError:  # a template without Powertools HTTP functions
        return
    resolve = ApiGatewayResolver.resolve
    if getattr(resolve, "isolated", False):
        return

    def isolated_resolve(self, event, context):
        if isinstance(event, dict):
            self.current_event = self._to_proxy_event(event)
        self.lambda_context = context
        return resolve(self, event, context)

    isolated_resolve.isolated = True
    ApiGatewayResolver.resolve = isolated_resolve


def _load_module(function: Function, copy: int = 0) -> ModuleType:
    isolate_resolver_state()
    path = function.handler_file
    if not path.is_file():
        raise FileNotFoundError(f"{function.logical_id}: handler file {path} not found")
    module_name = f"khadamat_local_fn_{function.logical_id}" + (f"_{copy}" if copy else "")
    spec = importlib.util.spec_from_file_location(module_name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        sys.modules.pop(module_name, None)
        raise
    return module


REGISTRY = HandlerRegistry()


def invoke(function: Function, event: Any, registry: HandlerRegistry = REGISTRY) -> Any:
    """Call the handler like Lambda does: JSON in, JSON out (a non-JSON result is an error)."""
    handler = registry.acquire(function)
    context = LambdaContext(function)
    started = time.monotonic()
    try:
        result = handler(json.loads(json.dumps(event)), context)
    finally:
        registry.release(function, handler)
    elapsed = time.monotonic() - started
    if elapsed > function.timeout_s:
        print(f"local runtime: {function.logical_id} took {elapsed:.1f}s, over its "
              f"{function.timeout_s}s timeout (Lambda would have killed it)", file=sys.stderr)
    try:
        return json.loads(json.dumps(result))
    except (TypeError, ValueError) as error:
        raise MarshalError(f"{function.logical_id} returned a non-JSON result: {error}") from error


# ----------------------------------------------------------------- scheduled jobs


def scheduled_event(schedule: Schedule | None, function: Function) -> Any:
    """The event EventBridge sends for a schedule (its Input when the template sets one)."""
    if schedule is not None and schedule.input:
        return json.loads(schedule.input)
    rule = f"{function.physical_name}-{schedule.event_name if schedule else 'manual'}"
    return {
        "version": "0", "id": str(uuid.uuid4()), "detail-type": "Scheduled Event",
        "source": "aws.events", "account": ACCOUNT_ID,
        "time": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"), "region": REGION,
        "resources": [f"arn:aws:events:{REGION}:{ACCOUNT_ID}:rule/{rule}"], "detail": {},
    }


def invoke_job(template: Template, logical_id: str, registry: HandlerRegistry = REGISTRY) -> Any:
    """Run a scheduled function now with the event its (first) schedule would send."""
    function = template.function(logical_id)
    schedules = [s for s in template.schedules if s.function_id == logical_id]
    return invoke(function, scheduled_event(schedules[0] if schedules else None, function), registry)
