"""The local stage's Stripe stand-in endpoints (SPEC §11, §12): 404 on deployed stages."""

from __future__ import annotations

import json
from datetime import datetime

from khadamat.adapters import payments as stripe_adapter
from khadamat.dal import payments as store
from khadamat.dal import users
from khadamat.domain.errors import NotFound
from khadamat.usecases import payments


def complete_local_checkout(session_id: str, now: datetime) -> dict:
    """Pay the session: Stripe's events, signed with the webhook secret, through the real webhook code."""
    delivered = []
    for event in stripe_adapter.LocalStripe(now).completion_events(session_id):
        payload = json.dumps(event)
        signature = stripe_adapter.sign_payload(payload, stripe_adapter.webhook_secret())
        result = payments.handle_webhook(payload, signature, now)
        delivered.append({"eventId": result["eventId"], "type": event["type"],
                          "outcome": result["outcome"]})
    return {"sessionId": session_id, "delivered": delivered}


def local_checkout_view(session_id: str) -> dict:
    """What the checkoutUrl shows locally (Stripe's hosted page stands here)."""
    session = store.get_session(session_id)
    if session is None:
        raise NotFound("no such local checkout session")
    return {"sessionId": session_id, "kind": session.kind, "target": session.target,
            "status": session.status,
            "complete": f"POST /_dev/stripe/checkout/{session_id}/complete"}


def set_pro_state(pro_id: str, kyc_status: str | None, category_ids: list[str] | None) -> dict:
    """Test-only: KYC and services of a pro without their own flows (built in other issues)."""
    if not users.dev_set_pro_state(pro_id, kyc_status, category_ids):
        raise NotFound("no such user")
    return {"proId": pro_id, "kycStatus": kyc_status, "categoryIds": category_ids}
