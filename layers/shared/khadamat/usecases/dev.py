"""Local-only endpoints (SPEC §11): 404 on any deployed stage."""

from __future__ import annotations

from khadamat import clock, config
from khadamat.dal import dev, devclock
from khadamat.domain.errors import NotFound, Unprocessable
from khadamat.domain.timeutil import parse_timestamp, to_local_iso


def require_local_stage() -> None:
    if not config.is_local():
        raise NotFound("no such route")


def set_clock(text: str) -> dict:
    try:
        target = parse_timestamp(text)
    except ValueError:
        raise Unprocessable("now must be an ISO-8601 timestamp")
    devclock.write_offset(target - clock.system_now())
    clock.begin_invocation()
    return {"now": to_local_iso(clock.now())}


def reset_clock() -> dict:
    devclock.reset()
    clock.begin_invocation()
    return {"now": to_local_iso(clock.now())}


def sent_messages() -> dict:
    from khadamat.usecases.whatsapp_dev import delivery_status

    items = dev.list_sent()
    for item in items:
        if item.get("channel") in ("WHATSAPP", "SMS"):
            item["status"] = delivery_status(item)  # SPEC §16: the current delivery status
    return {"items": items}
