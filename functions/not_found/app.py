"""The HTTP API's $default route: unknown paths get the SPEC's error envelope."""

from khadamat.api.resolver import error_result, secure_response
from khadamat.domain.errors import NotFound
from khadamat.observability import logger


@logger.inject_lambda_context
def lambda_handler(event, context):
    return secure_response(event, error_result(NotFound("no such route")))
