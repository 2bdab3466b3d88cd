"""What a route answers on success, declared on the route itself (Powertools ``responses=``).

Every route of template.yaml says, on its decorator, its success status (``status_code=``),
what that status carries (``responses={status: returns(Model, ...)}`` for JSON,
``NO_CONTENT`` for 204, ``text(...)`` for a non-JSON body), a one-line ``summary=`` and
its area's ``tags=[Tag...]``. infra/openapi.py publishes exactly that in docs/openapi.json;
the handler returns the body as a dict (or None for 204) and the resolver answers it with the
declared status. The models document the wire: Lambda code does not validate against them
(schemathesis' response conformance check does, over HTTP, in `make test`).
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel


class Tag(StrEnum):
    """The areas of the API, in the order the document lists them: public API first, local-only last."""

    HEALTH = "health"
    REFERENCE = "reference data"
    CONTENT = "content"
    DISCOVERY = "discovery"
    AUTH = "auth"
    ACCOUNT = "account"
    NOTIFICATIONS = "notifications"
    BOOKINGS = "bookings"
    REPORTS = "reports"
    PRO_PROFILE = "pro profile"
    PRO_WORKSPACE = "pro workspace"
    PRO_KYC = "pro kyc"
    PRO_BILLING = "pro billing"
    ADMIN = "admin"
    WEBHOOKS = "webhooks"
    LOCAL_ONLY = "local-only"


TAG_DESCRIPTIONS = {
    Tag.HEALTH: "Liveness", Tag.REFERENCE: "Cities and categories",
    Tag.CONTENT: "Public articles and the sitemap", Tag.DISCOVERY: "Search pros, profiles, reviews, free slots",
    Tag.AUTH: "Sign up, sign in, tokens, phone codes", Tag.ACCOUNT: "The caller's own account, consents, data",
    Tag.NOTIFICATIONS: "In-app notifications and push devices",
    Tag.BOOKINGS: "Booking requests, their transitions, reviews and reschedules",
    Tag.REPORTS: "Disputes about a booking", Tag.PRO_PROFILE: "The pro's profile, services and hours",
    Tag.PRO_WORKSPACE: "The pro's dashboard, photos, reviews, calendar and exports",
    Tag.PRO_KYC: "Identity documents of a pro", Tag.PRO_BILLING: "Premium subscription and boosts",
    Tag.ADMIN: "Back office (ADMIN role)", Tag.WEBHOOKS: "Called by payment and messaging providers",
    Tag.LOCAL_ONLY: "Exist only on the local stage (tests, demos)",
}

JSON = "application/json"
NO_CONTENT: dict = {"description": "Done; no body"}


def returns(model: type[BaseModel], description: str) -> dict:
    """The OpenAPI response of a JSON body shaped like ``model`` (its camelCase aliases)."""
    return {"description": description, "content": {JSON: {"model": model}}}


def text(media_type: str, description: str) -> dict:
    """The OpenAPI response of a body that is not JSON (a calendar, a CSV file, a sitemap)."""
    return {"description": description, "content": {media_type: {"schema": {"type": "string"}}}}
