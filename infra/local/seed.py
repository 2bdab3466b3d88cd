"""Seed data of the local stack: the admin account, and demo pros unless KHADAMAT_SEED=none.

Accounts are created through the same use case as signup (hashing, uniqueness items),
so the seed cannot drift from what the API writes.
"""

from __future__ import annotations

import os

from khadamat import clock
from khadamat.domain.accounts import Role
from khadamat.domain.errors import Conflict
from khadamat.usecases.accounts import create_account

ADMIN_EMAIL = "admin@khadamat.local"
ADMIN_PHONE = "+212600000001"
DEFAULT_ADMIN_PASSWORD = "Admin-Local-2026"


def seed_admin() -> None:
    try:
        create_account(phone=ADMIN_PHONE, email=ADMIN_EMAIL, role=Role.ADMIN,
                       password=os.environ.get("KHADAMAT_ADMIN_PASSWORD", DEFAULT_ADMIN_PASSWORD),
                       first_name="Admin", last_name="Khadamat", city_id=None, whatsapp=None,
                       now=clock.now(), phone_verified=True)
    except Conflict:
        pass  # already seeded (a restart against a kept endpoint)


def seed_demo() -> None:
    """Demo pros per city arrive with discovery (issue 4): see infra/local/demo.py."""
    try:
        from infra.local.demo import seed_demo_pros
    except ModuleNotFoundError:
        return
    seed_demo_pros()


def seed(mode: str = "demo") -> None:
    seed_admin()
    if mode != "none":
        seed_demo()
