"""Account self-service (SPEC §15): PATCH /me and the notification preferences.

The account view is GET /me's (usecases.accounts.me_view); the preferences live on the user
item as the set of channels turned off (``muted_channels``), which the delivery function
reads with the recipient it reads anyway (usecases.notifications).
"""

from __future__ import annotations

from datetime import datetime

from khadamat.dal import users
from khadamat.domain import accounts as rules
from khadamat.domain import delivery
from khadamat.domain.errors import Unprocessable
from khadamat.usecases.accounts import me_view


def update_me(user: users.UserItem, *, first_name: str | None, last_name: str | None,
              email: str | None, now: datetime) -> dict:
    for field, name in (("firstName", first_name), ("lastName", last_name)):
        if name is not None and (problem := rules.name_problem(name, field)):
            raise Unprocessable(problem)
    new_email = rules.normalize_email(email) if email is not None else None
    if new_email == user.email:
        new_email = None  # the same address (case aside): nothing to swap
    if first_name is not None or last_name is not None or new_email is not None:
        users.update_account(user, now, first_name=first_name, last_name=last_name,
                             new_email=new_email)
    return me_view(user)


def get_preferences(user: users.UserItem) -> dict:
    return delivery.preferences_view(user.muted_channels)


def put_preferences(user: users.UserItem, preferences: dict[str, bool], now: datetime) -> dict:
    muted = delivery.muted_channels_of(preferences)
    users.set_muted_channels(user, muted, now)
    return delivery.preferences_view(muted)
