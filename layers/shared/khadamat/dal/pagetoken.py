"""Opaque nextToken <-> DynamoDB LastEvaluatedKey (422 on a token we did not issue)."""

from __future__ import annotations

import base64
import json

from khadamat.domain.errors import Unprocessable


def encode(key: dict | None) -> str | None:
    return base64.urlsafe_b64encode(json.dumps(key).encode()).decode() if key else None


def decode(token: str | None) -> dict | None:
    if not token:
        return None
    try:
        key = json.loads(base64.urlsafe_b64decode(token.encode()))
        if not isinstance(key, dict) or not all(isinstance(v, dict) for v in key.values()):
            raise ValueError
        return key
    except ValueError:  # includes binascii.Error and JSONDecodeError
        raise Unprocessable("nextToken is not valid") from None
