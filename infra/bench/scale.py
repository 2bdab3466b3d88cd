"""Scale checks: reads stay proportional to what is due / shown, never to the table.

- expiry: 10,000 PENDING bookings not yet due + 5 due; the `expire-bookings` job expires
  the 5 and reads at most 5 + ``CONSTANT`` items;
- reminders (issue 20): 10,000 CONFIRMED bookings whose next reminder is not due + 5 due; the
  `send-reminders` job sends the 5 and reads at most 5 + ``CONSTANT`` items;
- discovery: 2,000 pros elsewhere (other cities and categories) + 50 in the target city and
  category; `GET /pros` (limit 50) reads at most 50 + ``CONSTANT`` items (the profiles
  themselves, through the listing indexes they are keyed in).

Each check runs only when its job or route exists in this build (else a printed note): they
depend on the bookings and discovery issues. The seeded items are built by the DAL's own
models and constructors (``khadamat.dal.bookings.new_booking``, ``khadamat.dal.pros.listing_keys``,
``UserItem``), so they cannot drift from what the application writes.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

from infra.bench.counting import counting
from infra.local.template import Template, physical_name

CONSTANT = 10
NOT_DUE, DUE = 10_000, 5
ELSEWHERE, TARGET = 2_000, 50
CITY, CATEGORY = "casablanca", "plomberie"
# docs/pros.md: a pro's profile carries its listing keys (GSI1/GSI2/GSI4, one per stored
# service) and the indexes project it whole: one item per pro shown, none of the pros elsewhere.
ITEMS_PER_SHOWN_PRO = 1


def _storage(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def pending_booking(booking_id: str, client_id: str, pro_id: str, slot: datetime,
                    expires_at: datetime, created_at: datetime) -> dict:
    """A PENDING booking as the bookings DAL stores it (its own constructor: keys, GSI1-3)."""
    from khadamat.dal.bookings import new_booking

    return _plain(new_booking(booking_id=booking_id, client_id=client_id, pro_id=pro_id,
                              city_id=CITY, category_id=CATEGORY, time_slot=slot,
                              expires_at=expires_at, now=created_at))


def pro_profile(pro_id: str, n: int, city_id: str, category_id: str, now: datetime) -> dict:
    """An ACTIVE, KYC-approved pro offering one category, 08:00-18:00 every day (UserItem)."""
    from khadamat.dal.pros import listing_keys
    from khadamat.dal.users import UserItem, user_key

    keys = {name: value for name, value in listing_keys(pro_id, city_id, [category_id]).items() if value}
    return _plain(UserItem(*user_key(pro_id), **keys, user_id=pro_id, role="PRO", status="ACTIVE",
                           first_name="Pro", last_name=str(n), city_id=city_id, phone_verified=True,
                           created_at=_storage(now), kyc_status="APPROVED",
                           services=[{"categoryId": category_id, "pricingType": "FIXED",
                                      "fixedPriceMad": 200}],
                           weekly_hours=[{"dayOfWeek": d, "startMin": 480, "endMin": 1080}
                                         for d in range(7)]))


def _put_all(items: list[dict]) -> None:
    import boto3

    table = boto3.resource("dynamodb").Table(physical_name("KhadamatTable"))
    with table.batch_writer() as batch:
        for item in items:
            batch.put_item(Item=item)


def check_expiry(template: Template) -> dict:
    from khadamat.jobs.registry import load_all

    jobs = load_all()
    if "expire-bookings" not in jobs:
        return {"name": "expiry", "skipped": "no `expire-bookings` job in this build"}
    from khadamat import clock

    now = clock.now()
    items = []
    for n in range(NOT_DUE + DUE):
        due = n < DUE
        created = now - timedelta(hours=13 if due else 1)
        slot = (now + timedelta(days=3)).replace(minute=0, second=0, microsecond=0)
        expires = created + timedelta(hours=12)
        items.append(pending_booking(str(uuid.uuid4()), f"client-{n % 500}", f"pro-{n % 300}",
                                     slot, expires, created))
    _put_all(items)
    with counting() as tally:
        summary = jobs["expire-bookings"]()
    return {"name": "expiry", "read": tally.items_read, "limit": DUE + CONSTANT,
            "requests": tally.requests, "result": summary,
            "ok": tally.items_read <= DUE + CONSTANT and summary.get("expired") == DUE}


def confirmed_booking(booking_id: str, n: int, slot: datetime, reminder_due: datetime, now: datetime) -> dict:
    """A CONFIRMED booking with its next reminder in the reminder index (khadamat.dal.reschedule)."""
    from khadamat.dal.bookings import new_booking
    from khadamat.dal.reschedule import reminder_keys

    booking = new_booking(booking_id=booking_id, client_id=f"client-{n % 500}", pro_id=f"pro-{n % 300}",
                          city_id=CITY, category_id=CATEGORY, time_slot=slot,
                          expires_at=now, now=now - timedelta(hours=1))
    booking.status, booking.GSI3PK, booking.GSI3SK = "CONFIRMED", None, None
    for name, value in reminder_keys(booking_id, ("H24", reminder_due)).items():
        setattr(booking, name, value)
    return _plain(booking)


def check_reminders(template: Template) -> dict:
    from khadamat.jobs.registry import load_all

    jobs = load_all()
    if "send-reminders" not in jobs:
        return {"name": "reminders", "skipped": "no `send-reminders` job in this build"}
    from khadamat import clock

    now = clock.now()
    items = []
    for n in range(NOT_DUE + DUE):
        due = n < DUE
        slot = (now + timedelta(hours=24 if due else 72)).replace(minute=0, second=0, microsecond=0)
        items.append(confirmed_booking(str(uuid.uuid4()), n, slot, slot - timedelta(hours=24), now))
    _put_all(items)
    with counting() as tally:
        summary = jobs["send-reminders"]()
    return {"name": "reminders", "read": tally.items_read, "limit": DUE + CONSTANT,
            "requests": tally.requests, "result": summary,
            "ok": tally.items_read <= DUE + CONSTANT and summary.get("sent") == DUE}


def check_discovery(template: Template) -> dict:
    if not any(route.route_key == "GET /pros" for route in template.routes):
        return {"name": "discovery", "skipped": "no `GET /pros` route in this build"}
    from khadamat import clock

    now = clock.now()
    others = [(c, g) for c in ("rabat-sale", "marrakech", CITY) for g in ("menage", "peinture", CATEGORY)
              if (c, g) != (CITY, CATEGORY)]
    items = []
    for n in range(ELSEWHERE + TARGET):
        city, category = (CITY, CATEGORY) if n < TARGET else others[n % len(others)]
        pro_id = str(uuid.uuid4())
        items.append(pro_profile(pro_id, n, city, category, now))
    _put_all(items)
    from infra.bench.round_trips import _InProcess
    from infra.local.gateway import Gateway

    api = _InProcess(Gateway(template))
    with counting() as tally:
        reply = api.call("GET", f"/pros?cityId={CITY}&categoryId={CATEGORY}&limit={TARGET}")
    shown = len((reply.body or {}).get("items", []))
    limit = ITEMS_PER_SHOWN_PRO * TARGET + CONSTANT
    return {"name": "discovery", "read": tally.items_read, "limit": limit,
            "requests": tally.requests, "result": {"status": reply.status, "shown": shown},
            "ok": reply.status == 200 and tally.items_read <= limit and shown == TARGET}


def _plain(model) -> dict:
    from boto3.dynamodb.types import TypeDeserializer

    decode = TypeDeserializer().deserialize
    return {name: decode(value) for name, value in model.serialize().items()}


def measure(template: Template) -> list[dict]:
    from infra.local.resources import in_process_aws

    results = []
    for check in (check_expiry, check_reminders, check_discovery):
        with in_process_aws(template):
            results.append(check(template))
    return results


def markdown(results: list[dict]) -> list[str]:
    lines = ["## Scale", "", "| check | items read | limit | requests | result |", "|---|---:|---:|---:|---|"]
    for result in results:
        if "skipped" in result:
            lines.append(f"| {result['name']} | — | — | — | skipped: {result['skipped']} (run after merge) |")
        else:
            verdict = "ok" if result["ok"] else "FAILED"
            lines.append(f"| {result['name']} | {result['read']} | {result['limit']} | {result['requests']} | "
                         f"{verdict} {result['result']} |")
    return lines
