"""Per source IP throttling of the ``/auth/*`` routes together (SPEC §1), in the entry layer.

The client IP is the one API Gateway reports in the event (``requestContext.http.sourceIp``;
the local gateway fills it the same way); no handler reads a header for it.
"""

from __future__ import annotations

from datetime import timedelta

from khadamat import clock
from khadamat.domain.errors import RateLimited

AUTH_ROUTES_PREFIX = "/auth/"


def _auth_per_ip():
    from khadamat.dal.limits import Limit

    # Many Moroccan mobile users share one IP behind carrier NAT: per IP, not lower (SPEC §1).
    return Limit("AUTHIP", 100, timedelta(minutes=5))


def source_ip(event: dict) -> str:
    return ((event.get("requestContext") or {}).get("http") or {}).get("sourceIp") or "unknown"


def is_ip_throttled_route(event: dict) -> bool:
    _method, _, path = (event.get("routeKey") or "").partition(" ")
    return path.startswith(AUTH_ROUTES_PREFIX)


def check_source_ip(event: dict) -> None:
    """Counts this request against its IP's window; 429 RATE_LIMITED once the window is full."""
    from khadamat.dal import limits

    verdict = limits.hit(_auth_per_ip(), source_ip(event), clock.now())
    if not verdict.allowed:
        raise RateLimited("too many requests from this address; try again later",
                          verdict.retry_after)
