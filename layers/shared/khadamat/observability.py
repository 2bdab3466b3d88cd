"""One place for Powertools logger, tracer and metrics, and the Lambda entry point."""

from __future__ import annotations

import warnings

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.logging import correlation_paths

from khadamat import clock

logger = Logger()
# X-Ray: patch botocore (every AWS call, DynamoDB through pynamodb included) at init. Patching
# everything (the default) would import requests and sqlite3 in every function; requests, the
# HTTP client of the Stripe and Twilio SDKs, is patched where those SDKs are loaded (adapters).
tracer = Tracer(patch_modules=("botocore",))
metrics = Metrics()

# Most invocations publish no business metric; Powertools warns on each one otherwise.
warnings.filterwarnings("ignore", message="No application metrics to publish")


def http_entry(app):
    """The lambda_handler of an HTTP function: observability, authentication, ``app.resolve``."""
    from khadamat.api.resolver import error_result
    from khadamat.domain.errors import DomainError

    if app.roles is not None:  # public functions skip auth's imports (pynamodb, jwt, phonenumbers)
        from khadamat.api.auth import authenticate

    @logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
    @tracer.capture_lambda_handler
    @metrics.log_metrics
    def lambda_handler(event, context):
        clock.begin_invocation()
        app.clear_context()  # the module stays warm between invocations: nothing read survives
        if app.roles is not None:
            try:
                prefetch = app.prefetch(event) if app.prefetch else None
                user, items = authenticate(event.get("headers"), app.roles, prefetch)
                app.append_context(caller=user, prefetched=items)
            except DomainError as error:
                return error_result(error)
        return app.resolve(event, context)

    return lambda_handler


def job_entry(run_job):
    """The lambda_handler of a scheduled job: ``run_job()`` returns its JSON summary."""

    @logger.inject_lambda_context
    @tracer.capture_lambda_handler
    @metrics.log_metrics
    def lambda_handler(event, context):
        clock.begin_invocation()
        summary = run_job()
        logger.info("job finished", extra={"summary": summary})
        return summary

    return lambda_handler
