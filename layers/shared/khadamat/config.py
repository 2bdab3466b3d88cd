"""Settings read from the environment (set by template.yaml, or by the local stack)."""

from __future__ import annotations

import os
from functools import cache


def stage() -> str:
    return os.environ.get("STAGE", "dev")


def is_local() -> bool:
    return stage() == "local"


def table_name() -> str:
    return os.environ["TABLE_NAME"]


def kyc_bucket() -> str:
    return os.environ["KYC_BUCKET"]


def photo_uploads_bucket() -> str:
    """Private: the pros' photo uploads as sent, until processed (SPEC §18)."""
    return os.environ["PHOTO_UPLOADS_BUCKET"]


def photos_bucket() -> str:
    """Private: the processed renditions, read through presigned GETs."""
    return os.environ["PHOTOS_BUCKET"]


def region() -> str:
    return os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "eu-west-3"


def secret(env_name: str, secret_name_env: str) -> str:
    """A secret: from the env var locally, from Secrets Manager (cached 5 min) in AWS."""
    value = os.environ.get(env_name)
    if value:
        return value
    if is_local():
        raise RuntimeError(f"{env_name} must be set on the local stage")
    return _secret_from_secrets_manager(os.environ[secret_name_env])


@cache
def _parameters():
    from aws_lambda_powertools.utilities import parameters  # imported only where secrets are read

    return parameters


def _secret_from_secrets_manager(name: str) -> str:
    return _parameters().get_secret(name, max_age=300)


def jwt_secret() -> str:
    return secret("JWT_SECRET", "JWT_SECRET_NAME")


def cloudfront_origin_secret() -> str | None:
    """The value CloudFront adds to every request it forwards to the API (header
    ``X-Khadamat-Origin-Verify``, template.yaml ConsoleDistribution): the proof that a request
    came through it. None where no distribution fronts the API (the local stage)."""
    if value := os.environ.get("CLOUDFRONT_ORIGIN_SECRET"):
        return value
    if is_local() or not os.environ.get("CLOUDFRONT_ORIGIN_SECRET_NAME"):
        return None
    return _secret_from_secrets_manager(os.environ["CLOUDFRONT_ORIGIN_SECRET_NAME"])


def page_token_secret() -> str:
    """HMAC key of page tokens (dal.base.encode_page_token)."""
    return secret("PAGE_TOKEN_SECRET", "PAGE_TOKEN_SECRET_NAME")


def whatsapp_action_secret() -> str:
    """HMAC key of the quick-reply payloads (SPEC §16, domain.whatsapp_actions)."""
    return secret("WHATSAPP_ACTION_SECRET", "WHATSAPP_ACTION_SECRET_NAME")


def public_base_url() -> str | None:
    """The API's public URL (https://api.example.ma), where Twilio posts its webhooks; None: the
    URL is rebuilt from the request (API Gateway's domain name)."""
    return os.environ.get("PUBLIC_BASE_URL") or None
