"""The race suite's store-invariant checker (tests/e2e/invariants.py) catches what it claims."""

from tests.e2e.invariants import name_copy_violations, payment_violations, review_violations, violations

NOON_AT = "2026-12-01T12:00:00.000000Z"
USER = {"PK": "USER#u1", "SK": "PROFILE", "role": "CLIENT", "status": "ACTIVE", "phone": "+212612345678",
        "email": "a@example.ma", "first_name": "Éloïse", "last_name": "Ben Ali", "created_at": NOON_AT}
# its two admin-search name keys, copies of its summary (khadamat.dal.users.name_key_items)
NAMES = [{"PK": "USER#u1", "SK": "NAMEKEY#FIRST", "user_id": "u1", "GSI1PK": "USERNAME#e",
          "GSI1SK": "eloise#u1", **{k: v for k, v in USER.items() if k not in ("PK", "SK")}},
         {"PK": "USER#u1", "SK": "NAMEKEY#LAST", "user_id": "u1", "GSI1PK": "USERNAME#b",
          "GSI1SK": "ben ali#u1", **{k: v for k, v in USER.items() if k not in ("PK", "SK")}}]
PHONE = {"PK": "PHONE#+212612345678", "SK": "UNIQUE", "user_id": "u1"}
EMAIL = {"PK": "EMAIL#a@example.ma", "SK": "UNIQUE", "user_id": "u1"}


EXPIRES_AT = "2026-11-30T22:00:00.000000Z"
NOON = "2026-12-01T12:00:00.000000Z"


def booking(booking_id, status, slot="2026-12-01T10:00:00.000000Z", duration="H1"):
    return {"PK": f"BOOKING#{booking_id}", "SK": "BOOKING", "status": status, "pro_id": "p1",
            "client_id": "c1", "time_slot": slot, "estimated_duration": duration,
            "city_id": "casablanca", "category_id": "plomberie", "expires_at": EXPIRES_AT}


def lock(booking_id, slot="2026-12-01T10:00:00.000000Z"):
    return {"PK": "USER#p1", "SK": f"LOCK#{slot}", "booking_id": booking_id}


def pending_group(*booking_ids, version=1):
    """The stored shape of khadamat.dal.bookings.PendingGroupItem (no sets once empty)."""
    group = {"PK": "USER#c1", "SK": "PENDING#casablanca#plomberie", "version": version}
    if not booking_ids:
        return group
    info = {f"{booking_id}|p1|2026-12-01T10:00:00.000000Z|{EXPIRES_AT}" for booking_id in booking_ids}
    return {**group, "pending_ids": set(booking_ids), "pending_info": info}


def stats(*entries):
    """The pro's dashboard hour item (khadamat.dal.pro_stats): ``(field, booking id)`` entries."""
    item = {"PK": "PROSTATS#p1", "SK": "HOUR#2026-12-01T08"}
    for field, booking_id in entries:
        item.setdefault(field, set()).add(f"2026-12-01T08:00:00.000000Z|{booking_id}")
    return item


def test_a_consistent_store_has_no_violation():
    # (the PENDING b2 is at 10:00, outside b1's hours: the follow-up would have declined it)
    items = [USER, *NAMES, PHONE, EMAIL, booking("b1", "CONFIRMED", slot=NOON, duration="H2"), lock("b1", NOON),
             lock("b1", "2026-12-01T13:00:00.000000Z"), booking("b2", "PENDING"),
             booking("b3", "CANCELLED_BY_CLIENT"), pending_group("b2", version=3),
             stats(("requests", "b1"), ("exits", "b1"), ("requests", "b2"), ("requests", "b3"),
                   ("exits", "b3"))]
    assert violations(items) == []
    # a group emptied by its last transition keeps only its version
    assert violations([booking("b2", "EXPIRED"), pending_group(version=2),
                       stats(("requests", "b2"), ("exits", "b2"))]) == []


def test_each_broken_invariant_is_reported():
    # a phone item pointing to nobody, a user without its email item
    assert len(violations([USER, *NAMES, PHONE, {**EMAIL, "user_id": "ghost"}])) == 2
    # a lock of a PENDING booking; two CONFIRMED bookings on one pro hour
    assert violations([booking("b1", "PENDING"), lock("b1")])
    overlapping = [booking("b1", "CONFIRMED", duration="H3"),
                   booking("b2", "CONFIRMED", slot="2026-12-01T12:00:00.000000Z")]
    assert any("held by 2" in problem for problem in violations(overlapping))
    # a pending group holding an id that left PENDING, one missing a PENDING id, an emptied
    # group while a booking is PENDING, and PENDING bookings without a group
    assert violations([booking("b2", "PENDING"), booking("b3", "DECLINED"), pending_group("b2", "b3")])
    assert violations([booking("b2", "PENDING"), booking("b3", "PENDING"), pending_group("b2")])
    assert violations([booking("b2", "PENDING"), pending_group()])
    assert violations([booking("b2", "PENDING")])


PRO = {"PK": "USER#p1", "SK": "PROFILE", "role": "PRO", "status": "ACTIVE", "email": "p@example.ma"}
CLIENT_REVIEW = {"PK": "BOOKING#b1", "SK": "REVIEW", "client_id": "c1", "pro_id": "p1", "rating": 4}


def test_reviews_and_the_pros_rating_must_agree():
    completed = booking("b1", "COMPLETED")
    rated = {**PRO, "rating_count": 1, "rating_sum": 4}
    assert review_violations([rated, completed, CLIENT_REVIEW]) == []
    # counted twice (a duplicated review applied), or a review of a booking not COMPLETED
    assert review_violations([{**rated, "rating_count": 2, "rating_sum": 8}, completed, CLIENT_REVIEW])
    assert review_violations([rated, booking("b1", "CONFIRMED"), CLIENT_REVIEW])
    # checked by the suite's one entry point too
    assert set(review_violations([rated, completed])) <= set(violations([rated, completed]))
    assert review_violations([rated, completed])
    # a seeded demo pro's aggregate has no reviews behind it and is not audited
    assert review_violations([{**rated, "email": "demo-pro-casablanca-0@khadamat.local"}]) == []


def subscription(status="ACTIVE", period_end="2030-02-15T10:00:00.000000Z", **extra):
    return {"PK": "USER#p1", "SK": "SUBSCRIPTION#sub_1", "status": status, "version": 2,
            "current_period_end": period_end, **extra}


def test_premium_until_is_the_latest_end_of_the_pros_subscriptions():
    ever = {"PK": "USER#p1", "SK": "EVER_SUBSCRIBED"}
    premium = {**PRO, "premium_until": "2030-02-15T10:00:00.000000Z"}
    assert payment_violations([premium, subscription(), ever]) == []
    ended = subscription("ENDED", ended_at="2030-02-01T00:00:00.000000Z")
    assert payment_violations([{**PRO, "premium_until": "2030-02-01T00:00:00.000000Z"}, ended, ever]) == []
    # Premium without a subscription, an end not applied, a paid subscription without the marker
    assert payment_violations([premium])
    assert payment_violations([premium, ended, ever])
    assert payment_violations([premium, subscription()])
    assert payment_violations([premium, subscription("ENDED"), ever])  # ENDED without ended_at


def test_one_boost_per_completed_boost_checkout():
    session = {"PK": "CHECKOUT#cs_1", "SK": "SESSION", "pro_id": "p1", "kind": "BOOST",
               "status": "COMPLETED"}
    boost = {"categoryId": "plomberie", "startsAt": "x", "endsAt": "y"}
    assert payment_violations([{**PRO, "boosts": [boost]}, session]) == []
    assert payment_violations([{**PRO, "boosts": [boost, boost]}, session])  # applied twice
    assert payment_violations([{**PRO, "boosts": [boost]}, {**session, "status": "OPEN"}])


def test_follow_up_invariants_flag_a_pending_task_and_a_pending_request_in_a_held_hour():
    from tests.e2e.invariants import follow_up_violations

    task = {"PK": "TASK#t1", "SK": "DECLINE_OVERLAPPING"}  # not run yet: no done_at
    confirmed = booking("b1", "CONFIRMED", duration="H2")
    later = booking("b2", "PENDING", slot="2026-12-01T11:00:00.000000Z")
    assert follow_up_violations([confirmed, {**later, "status": "DECLINED"}, {**task, "done_at": "2026-12-01T09:00:00.000000Z"}]) == []
    assert follow_up_violations([task])
    assert follow_up_violations([{**task, "GSI3PK": "TASK_RETRY"}])  # failed, not done yet
    assert follow_up_violations([confirmed, later])


def test_reminder_entries_and_held_hours_are_checked():  # issue 20
    from tests.e2e.invariants import held_hour_violations, reminder_violations

    due_24h = {"GSI4PK": "REMINDERS_DUE", "GSI4SK": "2026-11-30T10:00:00.000000Z#b1"}
    confirmed = {**booking("b1", "CONFIRMED"), **due_24h}
    assert reminder_violations([confirmed]) == []
    # an entry left on a cancelled booking, or at the old hour of a moved one
    assert reminder_violations([{**confirmed, "status": "CANCELLED_BY_CLIENT"}])
    assert reminder_violations([{**confirmed, "time_slot": "2026-12-02T10:00:00.000000Z"}])
    # a CONFIRMED booking missing one of its hours' locks; a proposal for its own hour
    assert held_hour_violations([booking("b1", "CONFIRMED"), lock("b1")]) == []
    assert held_hour_violations([booking("b1", "CONFIRMED", duration="H2"), lock("b1")])
    assert held_hour_violations([{**booking("b1", "CONFIRMED"), "proposal_time_slot": "2026-12-01T10:00:00.000000Z"},
                                 lock("b1")])


def test_every_name_key_is_a_current_copy_of_its_account():
    assert name_copy_violations([USER, *NAMES]) == []
    first, last = NAMES
    assert name_copy_violations([USER, first])  # a live user lacks one of its keys
    assert name_copy_violations([{**USER, "status": "BANNED"}, *NAMES])  # a status not copied
    assert name_copy_violations([USER, {**first, "phone": "+212600000000"}, last])  # stale phone
    assert name_copy_violations([USER, first, {**last, "sanction_tier": 1}])  # a tier the account lacks
    assert name_copy_violations([{**USER, "first_name": "Amina"}, {**first, "first_name": "Amina"}, last])  # old index entry
    assert name_copy_violations([{**USER, "status": "DELETED"}, *NAMES])  # a deleted account listed
    assert name_copy_violations(NAMES)  # no account at all
    unindexed = {k: v for k, v in first.items() if not k.startswith("GSI1")}
    nothing = "\u0301"  # a name that folds to nothing is out of the index
    assert name_copy_violations([{**USER, "first_name": nothing}, {**unindexed, "first_name": nothing},
                                 {**last, "first_name": nothing}]) == []
    assert name_copy_violations([{**USER, "status": "DELETED"}]) == []
