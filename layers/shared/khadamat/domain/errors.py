"""Domain errors: each carries the SPEC's HTTP status and error code.

The API layer maps any DomainError to the envelope
``{"error": {"code": ..., "message": ...}}``; nothing else decides a status.
"""

from __future__ import annotations


class DomainError(Exception):
    status = 400
    code = "BAD_REQUEST"

    def __init__(self, message: str, code: str | None = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code

    def headers(self) -> dict:
        """Headers the answer carries besides the envelope (e.g. Retry-After)."""
        return {}


class BadRequest(DomainError):
    status, code = 400, "BAD_REQUEST"


class Unauthorized(DomainError):
    status, code = 401, "UNAUTHORIZED"


class InvalidCredentials(DomainError):
    status, code = 401, "INVALID_CREDENTIALS"


class Forbidden(DomainError):
    """403 with FORBIDDEN, ACCOUNT_BANNED, ACCOUNT_SUSPENDED, COOLDOWN_ACTIVE or KYC_REQUIRED."""

    status, code = 403, "FORBIDDEN"


class NotFound(DomainError):
    """404 with NOT_FOUND or PRO_NOT_FOUND."""

    status, code = 404, "NOT_FOUND"


class Conflict(DomainError):
    """409: every state conflict of the SPEC (ACCOUNT_EXISTS, SLOT_TAKEN, ...)."""

    status, code = 409, "CONFLICT"


class Unprocessable(DomainError):
    """422: VALIDATION_ERROR, SLOT_NOT_ALIGNED, SLOT_IN_PAST, CATEGORY_NOT_OFFERED, REASON_REQUIRED."""

    status, code = 422, "VALIDATION_ERROR"


class RateLimited(DomainError):
    """429, answered with a ``Retry-After`` header of ``retry_after`` seconds."""

    status, code = 429, "RATE_LIMITED"

    def __init__(self, message: str, retry_after: int = 1):
        super().__init__(message)
        self.retry_after = retry_after

    def headers(self) -> dict:
        return {"Retry-After": str(self.retry_after)}


# ---------------------------------------------------------------- request envelope (SPEC §1)
class PayloadTooLarge(DomainError):
    status, code = 413, "PAYLOAD_TOO_LARGE"


class UnsupportedMediaType(DomainError):
    status, code = 415, "UNSUPPORTED_MEDIA_TYPE"
