"""Schemathesis hooks of tests/e2e/test_fuzz.py (loaded by `st run` through SCHEMATHESIS_HOOKS)."""

from __future__ import annotations

import itertools

import schemathesis

_addresses = itertools.count(1)


@schemathesis.hook
def before_call(context, case, **kwargs):
    """Each request from its own client address (loopback X-Forwarded-For, as the edge reports it).

    The fuzzer stands for many users: per-IP throttles (/auth/*: 100 per 5 minutes) must see it so.
    """
    number = next(_addresses)
    case.headers = {**(case.headers or {}), "X-Forwarded-For": f"10.{number >> 16 & 255}.{number >> 8 & 255}.{number & 255}"}
