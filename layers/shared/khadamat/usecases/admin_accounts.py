"""Making ADMIN accounts (SPEC §3, §11, §17): never from a public route.

Deployed stages: `python -m infra.admin.create_admin` run by an operator with AWS credentials
(docs/admin.md). Local stage: also `POST /_dev/admins`. Both go through ``create_admin``,
which writes the account and its audit entry (actor = who made it) in one transaction.
"""

from __future__ import annotations

import secrets
from datetime import datetime

from khadamat.domain.accounts import Role
from khadamat.domain.errors import Conflict
from khadamat.usecases.accounts import create_account

PHONE_ATTEMPTS = 5


def _placeholder_phone() -> str:
    """A Moroccan mobile number for an admin who gave none (accounts are unique by phone): a
    random one in a range the numbering plan allocates (not every +2126… is valid: 422)."""
    from khadamat.domain.accounts import normalize_moroccan_mobile
    from khadamat.domain.errors import Unprocessable

    while True:
        candidate = f"+2126{secrets.randbelow(10**8):08d}"
        try:
            return normalize_moroccan_mobile(candidate)
        except Unprocessable:
            continue


def create_admin(*, email: str, password: str, phone: str | None, first_name: str | None,
                 last_name: str | None, created_by: str, now: datetime) -> dict:
    for attempt in range(PHONE_ATTEMPTS if phone is None else 1):
        try:
            user = create_account(phone=phone or _placeholder_phone(), email=email,
                                  password=password, first_name=first_name or "Admin",
                                  last_name=last_name or "Khadamat", role=Role.ADMIN,
                                  city_id=None, whatsapp=None, now=now, created_by=created_by)
            return {"userId": user.user_id}
        except Conflict:
            if phone is not None or attempt == PHONE_ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")
