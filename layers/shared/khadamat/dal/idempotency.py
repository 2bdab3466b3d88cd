"""Idempotency-Key support (SPEC §6) with Powertools idempotency on the single table.

Records live under PK ``idempotency#<function>`` / SK ``<hash of caller + key>`` with the
table's ``ttl``. Same key + same body → the stored response, nothing runs again; same
key + another body → 409 IDEMPOTENCY_KEY_REUSED. Powertools reads the system clock for
the record's expiry (not khadamat.clock): harmless, the dev clock never shortens it.
The persistence layer (a boto3 client) is built per call, never at import (TRAPS.md).
With the invocation's Lambda context registered, an in-progress record whose Lambda
timed out is not left blocking retries until it expires.
"""

from __future__ import annotations

from collections.abc import Callable

from khadamat import config
from khadamat.domain.errors import Conflict

RECORD_LIFETIME_S = 24 * 3600


def run_once(action: Callable[[dict], dict], request: dict, lambda_context=None) -> dict:
    """``action(request)`` once per (request["userId"], request["key"]); request["body"] is validated."""
    from aws_lambda_powertools.utilities.idempotency import (DynamoDBPersistenceLayer,
                                                             IdempotencyConfig, idempotent_function)
    from aws_lambda_powertools.utilities.idempotency.exceptions import (
        IdempotencyAlreadyInProgressError, IdempotencyValidationError)

    store = DynamoDBPersistenceLayer(table_name=config.table_name(), key_attr="PK",
                                     sort_key_attr="SK", expiry_attr="ttl")
    settings = IdempotencyConfig(event_key_jmespath="[userId, key]",
                                 payload_validation_jmespath="body",
                                 expires_after_seconds=RECORD_LIFETIME_S)
    if lambda_context is not None:
        settings.register_lambda_context(lambda_context)

    @idempotent_function(data_keyword_argument="request", persistence_store=store, config=settings)
    def run(request: dict) -> dict:
        return action(request)

    try:
        return run(request=request)
    except IdempotencyValidationError:
        raise Conflict("this Idempotency-Key was used with another body", "IDEMPOTENCY_KEY_REUSED")
    except IdempotencyAlreadyInProgressError:
        raise Conflict("a request with this Idempotency-Key is still in progress", "IDEMPOTENCY_KEY_REUSED")
