"""Per source IP throttling of the ``/auth/*`` routes together (SPEC §1), in the entry layer.

The client IP (``source_ip``, also recorded with consents) is the one API Gateway reports in
the event (``requestContext.http.sourceIp``; the local gateway fills it the same way), except
behind CloudFront, where that is an edge server's address: there it is the viewer's address
CloudFront puts in ``CloudFront-Viewer-Address``, trusted only when the request also carries
the distribution's secret origin header (a client calling the execute-api endpoint directly
could send any ``CloudFront-Viewer-Address``). docs/security.md "Client IP".

Most routes count the hit in a request of its own before anything runs. A route listed in
``COUNTED_IN_THE_USE_CASE`` (POST /auth/otp/verify, issue 16's budget of 3) instead gets a
``DeferredHit``: the use case checks the IP's window with a read it makes anyway and adds
the same conditional ``ADD hits 1`` to its final transaction; every request that does not
commit that transaction (refused, failed, malformed) is counted on its own by the entry when
it answers. So each request counts once, and a full window still answers 429 (atomically:
the count is a condition either way).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from khadamat import clock
from khadamat.domain.errors import RateLimited

AUTH_ROUTES_PREFIX = "/auth/"
COUNTED_IN_THE_USE_CASE = frozenset({"POST /auth/otp/verify"})


def _auth_per_ip():
    from khadamat.dal.limits import Limit

    # Many Moroccan mobile users share one IP behind carrier NAT: per IP, not lower (SPEC §1).
    return Limit("AUTHIP", 100, timedelta(minutes=5))


ORIGIN_VERIFY_HEADER = "x-khadamat-origin-verify"
VIEWER_ADDRESS_HEADER = "cloudfront-viewer-address"


def source_ip(event: dict) -> str:
    headers = {name.lower(): value for name, value in (event.get("headers") or {}).items()}
    viewer = headers.get(VIEWER_ADDRESS_HEADER)
    if viewer and _through_cloudfront(headers.get(ORIGIN_VERIFY_HEADER)):
        # "<ip>:<port>", the IPv6 form unbracketed ("2001:db8::1:443")
        address = viewer.rpartition(":")[0].strip("[]")
        if address:
            return address
    return ((event.get("requestContext") or {}).get("http") or {}).get("sourceIp") or "unknown"


def _through_cloudfront(presented: str | None) -> bool:
    import hmac

    from khadamat import config

    if not presented:
        return False
    expected = config.cloudfront_origin_secret()
    return bool(expected) and hmac.compare_digest(presented.encode(), expected.encode())


def is_ip_throttled_route(event: dict) -> bool:
    _method, _, path = (event.get("routeKey") or "").partition(" ")
    return path.startswith(AUTH_ROUTES_PREFIX)


def _refused(retry_after: int) -> RateLimited:
    return RateLimited("too many requests from this address; try again later", retry_after)


def check_source_ip(event: dict) -> None:
    """Counts this request against its IP's window; 429 RATE_LIMITED once the window is full."""
    from khadamat.dal import limits

    verdict = limits.hit(_auth_per_ip(), source_ip(event), clock.now())
    if not verdict.allowed:
        raise _refused(verdict.retry_after)


def deferred_hit(event: dict) -> DeferredHit | None:
    """The hit a route counts in its own transaction (None: the entry counts it first)."""
    if event.get("routeKey") not in COUNTED_IN_THE_USE_CASE:
        return None
    return DeferredHit(source_ip(event), clock.now())


class DeferredHit:
    """One request's per-IP hit, counted in the use case's final transaction or, failing
    that, alone when the entry answers (``settle``)."""

    def __init__(self, subject: str, now: datetime):
        self.limit, self.subject, self.now = _auth_per_ip(), subject, now
        self.settled = False

    def window_key(self) -> tuple:
        """(model, PK, SK) of the IP's current window, to read it with other items."""
        from khadamat.dal import limits

        return (limits.LimitWindowItem, *limits.window_key(self.limit, self.subject, self.now))

    def check(self, window) -> None:
        """429 before any work when the window read (None: absent) is already full."""
        from khadamat.dal import limits

        verdict = limits.verdict(self.limit, window.hits if window is not None else 0, self.now)
        if not verdict.allowed:
            self.settled = True  # a refused request is not counted (as limits.hit)
            raise _refused(verdict.retry_after)

    def add_to(self, tx) -> None:
        """The conditional hit, as one more write of the caller's transaction."""
        from khadamat.dal import limits

        item = limits.window_item(self.limit, self.subject, self.now)
        actions, condition = limits.hit_actions(self.limit, item)
        tx.update(item, actions=actions, condition=condition)

    def committed(self) -> None:
        self.settled = True

    def settle(self) -> RateLimited | None:
        """Counts the hit now unless a transaction carried it; the refusal when the window is
        full (the answer then becomes 429: the request was over the limit either way)."""
        from khadamat.dal import limits

        if self.settled:
            return None
        self.settled = True
        verdict = limits.hit(self.limit, self.subject, self.now)
        return None if verdict.allowed else _refused(verdict.retry_after)
