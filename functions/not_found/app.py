"""The HTTP API's $default route: unknown paths get the SPEC's error envelope."""

from khadamat.api.resolver import error_response
from khadamat.observability import logger


@logger.inject_lambda_context
def lambda_handler(event, context):
    return error_response(404, "NOT_FOUND", "no such route").build(event)
