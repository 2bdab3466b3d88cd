"""The item a route reads with the caller's account: ``build_app(prefetch=in_path(UserRef))``.

A route that acts on one item (a booking, an account, a report…) reads it in the same
BatchGetItem as the caller's account (``khadamat.api.auth.authenticate``): one round trip for
both. The route says which value of its request names the item (the path's one parameter, or
a query parameter) and which DAL ref turns that value into a key (``khadamat.dal.base.ItemRef``:
``BookingRef``, ``UserRef``, ``ContactRef``…); the DAL owns the keys and the item classes, the
API layer builds none. The handler takes what the read found with ``target(app)`` (the item,
None when absent) or ``target_ref(app)`` (the ref holding it, for use cases that also run
outside a request and then read the item themselves).

This module imports no DAL module: each handler imports the one ref it names, so a function
pays at import only for the DAL modules it uses.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from khadamat.api.resolver import path_id

TARGET = "target"  # the name of the prefetched item in authenticate's answer


@dataclass(frozen=True)
class Prefetch:
    """``prefetch=`` of build_app: ``ref(value_of(event)).key()`` is read with the caller."""

    ref: type  # a khadamat.dal.base.ItemRef subclass
    value_of: Callable[[dict], str]  # the request's value that names the item

    def __call__(self, event: dict) -> dict:
        key = self.ref(self.value_of(event)).key()
        return {TARGET: key} if key else {}  # no key: a value no item can have, nothing to read


def in_path(ref: type) -> Prefetch:
    """The item the route's one path parameter names (template.yaml names the parameter)."""
    return Prefetch(ref, path_id)


def in_query(parameter: str, ref: type) -> Prefetch:
    """The item a query string parameter names (e.g. GET /admin/users?query=<phone or email>)."""
    return Prefetch(ref, lambda event: (event.get("queryStringParameters") or {}).get(parameter) or "")


def target(app):
    """The item the route's prefetch named, as the caller's read found it; None when absent or
    when the request's value could not name one."""
    return app.context["prefetched"].get(TARGET)


def target_ref(app):
    """The route's ref (e.g. ``BookingRef``), holding what the caller's read found."""
    prefetch: Prefetch = app.prefetch
    return prefetch.ref(prefetch.value_of(app.current_event.raw_event), read_with_caller=True,
                        item=target(app))
