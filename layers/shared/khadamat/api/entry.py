"""The Lambda entry point of every HTTP function: ``lambda_handler = http_entry(app)``.

In order: Powertools logger/tracer/metrics (khadamat.observability); the per-IP limit of the
/auth/* routes; SPEC §1's request rules (path ids, body); authentication, with the items the
route reads in the same request as the caller's account; ``app.resolve``; the security headers
on every answer, errors included.
"""

from __future__ import annotations

from aws_lambda_powertools.logging import correlation_paths

from khadamat import clock
from khadamat.api.resolver import check_request, error_result, secure_response
from khadamat.domain.errors import DomainError
from khadamat.observability import logger, metrics, tracer


def http_entry(app):
    """The lambda_handler of an HTTP function built with ``khadamat.api.resolver.build_app``."""
    if app.roles is not None:  # public functions skip auth's imports (pynamodb, jwt, phonenumbers)
        from khadamat.api.auth import authenticate

    def answer(event, context) -> dict:
        from khadamat.api import throttle

        if (deferred := throttle.deferred_hit(event)) is None:
            return checked_answer(event, context)
        app.append_context(source_ip_hit=deferred)  # counted in the use case's transaction
        result = checked_answer(event, context)
        refusal = deferred.settle()  # ... or here, alone, when none carried it
        return error_result(refusal) if refusal is not None else result

    def checked_answer(event, context) -> dict:
        if (refusal := _source_ip_refusal(event)) is not None:
            return error_result(refusal)  # counted before anything else runs, malformed or not
        try:
            check_request(app, event)  # no round trip is spent on a request that breaks §1
            if app.roles is not None:
                prefetch = app.prefetch(event) if app.prefetch else None
                user, items = authenticate(event.get("headers"), app.roles, prefetch)
                app.append_context(caller=user, prefetched=items)
        except DomainError as error:
            return error_result(error)
        return app.resolve(event, context)

    # clear_state: keys appended for one request (booking_correlation_id) never reach the next
    @logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP, clear_state=True)
    @tracer.capture_lambda_handler
    @metrics.log_metrics
    def lambda_handler(event, context):
        clock.begin_invocation()
        app.clear_context()  # the module stays warm between invocations: nothing read survives
        return secure_response(event, answer(event, context))

    return lambda_handler


def _source_ip_refusal(event):
    """The /auth/* routes' per-IP limit (khadamat.api.throttle), before anything else runs."""
    from khadamat.api import throttle
    from khadamat.domain.errors import RateLimited

    if not throttle.is_ip_throttled_route(event) or throttle.deferred_hit(event) is not None:
        return None
    try:
        throttle.check_source_ip(event)
    except RateLimited as refusal:
        return refusal
    return None
