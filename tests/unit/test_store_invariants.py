"""The race suite's store-invariant checker (tests/e2e/invariants.py) catches what it claims."""

from tests.e2e.invariants import violations

USER = {"PK": "USER#u1", "SK": "PROFILE", "status": "ACTIVE", "phone": "+212612345678",
        "email": "a@example.ma"}
PHONE = {"PK": "PHONE#+212612345678", "SK": "UNIQUE", "user_id": "u1"}
EMAIL = {"PK": "EMAIL#a@example.ma", "SK": "UNIQUE", "user_id": "u1"}


def booking(booking_id, status, slot="2026-12-01T10:00:00.000000Z", duration="H1"):
    return {"PK": f"BOOKING#{booking_id}", "SK": "BOOKING", "status": status, "pro_id": "p1",
            "client_id": "c1", "time_slot": slot, "estimated_duration": duration,
            "city_id": "casablanca", "category_id": "plomberie"}


def lock(booking_id, slot="2026-12-01T10:00:00.000000Z"):
    return {"PK": "USER#p1", "SK": f"LOCK#{slot}", "booking_id": booking_id}


def pending_group(*booking_ids, version=1):
    """The stored shape of khadamat.dal.bookings.PendingGroupItem (no set once empty)."""
    group = {"PK": "USER#c1", "SK": "PENDING#casablanca#plomberie", "version": version}
    return {**group, "pending_ids": set(booking_ids)} if booking_ids else group


def test_a_consistent_store_has_no_violation():
    items = [USER, PHONE, EMAIL, booking("b1", "CONFIRMED", duration="H2"), lock("b1"),
             lock("b1", "2026-12-01T11:00:00.000000Z"), booking("b2", "PENDING"),
             booking("b3", "CANCELLED_BY_CLIENT"), pending_group("b2", version=3)]
    assert violations(items) == []
    # a group emptied by its last transition keeps only its version
    assert violations([booking("b2", "EXPIRED"), pending_group(version=2)]) == []


def test_each_broken_invariant_is_reported():
    # a phone item pointing to nobody, a user without its email item
    assert len(violations([USER, PHONE, {**EMAIL, "user_id": "ghost"}])) == 2
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
