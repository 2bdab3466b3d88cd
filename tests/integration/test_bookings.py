"""Bookings (SPEC §6, §7, §13) through the real handlers, in-process under moto."""

from __future__ import annotations

from datetime import timedelta

import pytest

from khadamat.dal.availability import new_lock
from khadamat.dal.bookings import BookingItem, booking_pk
from khadamat.domain.timeutil import parse_timestamp
from khadamat.dal.tasks import mark_for_retry, pending_tasks
from tests.integration.booking_helpers import (BASE, SLOT, act, at, notification_items, world,  # noqa: F401 (fixture)
                                               book, code, make_admin, make_pro, run_follow_ups, undone_tasks,
                                               set_clock, set_pro_offer, signup_and_login,
                                               table_items, user_item)


def created(api, client, pro, slot=SLOT, **kw) -> dict:
    reply = book(api, client, pro, slot, **kw)
    assert reply.status == 201, reply.body
    return reply.body


def status_of(api, who, booking_id) -> str:
    return api.get(f"/bookings/{booking_id}", token=who.token).body["status"]


def outbox() -> list[dict]:
    return notification_items()


# ---------------------------------------------------------------- create
def test_create_answers_a_pending_booking_with_its_event_and_a_message_to_the_pro(api, world):
    client, pro = world["client"], world["pro"]
    # When the client books a slot 26 hours ahead
    booking = created(api, client, pro)
    # Then it is PENDING in the pro's city, expiring 12 hours after creation, phones hidden
    assert booking["status"] == "PENDING" and booking["cityId"] == "casablanca"
    assert parse_timestamp(booking["expiresAt"]) - parse_timestamp(booking["createdAt"]) == timedelta(hours=12)
    assert booking["client"]["phone"] is None and booking["pro"]["phone"] is None
    events = api.get(f"/bookings/{booking['id']}/events", token=client.token).body["items"]
    assert [(e["type"], e["actorRole"]) for e in events] == [("CREATED", "CLIENT")]
    [message] = outbox()
    assert message["recipient_id"] == pro.id and set(message["channels"]) == {"WHATSAPP", "PUSH", "INBOX"}
    assert "Plomberie" in message["body"] and "02/12/2026 à 10h00" in message["body"]


def test_expiry_is_the_slot_start_when_it_comes_before_twelve_hours(api, world):
    booking = created(api, world["client"], world["pro"], slot=at(3))
    assert parse_timestamp(booking["expiresAt"]) == parse_timestamp(at(3))


@pytest.mark.parametrize("slot,expected", [
    ("2026-12-02T10:30:00+00:00", "SLOT_NOT_ALIGNED"), (at(-1), "SLOT_IN_PAST")])
def test_slot_must_be_aligned_and_future_before_the_pro_is_looked_up(api, world, slot, expected):
    reply = api.post("/bookings", {"proId": "nobody", "categoryId": "plomberie", "timeSlot": slot},
                     token=world["client"].token)
    assert reply.status == 422 and code(reply) == expected


def test_create_error_codes(api, world):
    client, pro = world["client"], world["pro"]
    # a pro cannot book
    assert code(book(api, pro, pro)) == "FORBIDDEN"
    # unknown pro, and a client id used as a pro
    assert code(api.post("/bookings", {"proId": "nobody", "categoryId": "plomberie", "timeSlot": SLOT},
                         token=client.token)) == "PRO_NOT_FOUND"
    assert code(book(api, client, client)) == "PRO_NOT_FOUND"
    assert code(book(api, client, pro, category="menage")) == "CATEGORY_NOT_OFFERED"
    # outside the weekly hours
    set_pro_offer(pro.id, hours=[{"dayOfWeek": 3, "startMin": 480, "endMin": 600}])  # Wed 08-10
    assert code(book(api, client, pro)) == "SLOT_UNAVAILABLE"
    assert book(api, client, pro, slot="2026-12-02T09:00:00+00:00").status == 201
    assert code(book(api, client, pro, slot="2026-12-02T09:00:00+00:00")) == "DUPLICATE_BOOKING"
    assert code(api.post("/bookings", {"proId": pro.id}, token=client.token)) == "VALIDATION_ERROR"
    assert code(api.post("/bookings", {"proId": pro.id, "categoryId": "plomberie", "timeSlot": "demain"},
                         token=client.token)) == "VALIDATION_ERROR"


def test_a_locked_slot_is_unavailable(api, world):
    client, pro = world["client"], world["pro"]
    booking = created(api, client, pro)
    assert act(api, pro, booking["id"], "confirm").status == 200
    other = signup_and_login(api, "CLIENT")
    assert code(book(api, other, pro)) == "SLOT_UNAVAILABLE"


def test_fourth_pending_of_a_city_and_category_is_refused_and_other_groups_are_not(api, world):
    client, pro = world["client"], world["pro"]
    for hour in (30, 31, 32):
        created(api, client, pro, slot=at(hour))
    reply = book(api, client, pro, slot=at(33))
    assert reply.status == 409 and code(reply) == "PENDING_LIMIT_REACHED"
    set_pro_offer(pro.id, categories=("plomberie", "menage"))
    assert book(api, client, pro, slot=at(33), category="menage").status == 201


def test_a_suspended_pro_gets_no_new_booking(api, world):
    from khadamat.dal.users import UserItem
    user_item(world["pro"].id).update(actions=[UserItem.status.set("SUSPENDED")])
    assert code(book(api, world["client"], world["pro"])) == "PRO_NOT_FOUND"


def test_idempotency_key_replays_the_same_response_and_refuses_another_body(api, world):
    client, pro = world["client"], world["pro"]
    key = {"Idempotency-Key": "7c1d0f5e-retry-1"}
    first = book(api, client, pro, headers=key)
    again = book(api, client, pro, headers=key)
    assert first.status == again.status == 201 and again.body == first.body
    assert len(api.get("/bookings", token=client.token).body["items"]) == 1
    other = book(api, client, pro, slot=at(40), headers=key)
    assert other.status == 409 and code(other) == "IDEMPOTENCY_KEY_REUSED"
    assert code(book(api, client, pro, slot=at(42), headers={"Idempotency-Key": "k" * 256})) == "VALIDATION_ERROR"
    # another client may use the same key
    assert book(api, signup_and_login(api, "CLIENT"), pro, slot=at(41), headers=key).status == 201


def test_cooldown_blocks_new_bookings(api, world):
    from khadamat.dal.users import UserItem
    user_item(world["client"].id).update(actions=[UserItem.booking_cooldown_until.set("2026-12-03T08:00:00.000000Z")])
    reply = book(api, world["client"], world["pro"])
    assert reply.status == 403 and code(reply) == "COOLDOWN_ACTIVE"


# ---------------------------------------------------------------- visibility, privacy
def test_only_the_client_the_pro_and_admins_see_a_booking(api, world):
    booking = created(api, world["client"], world["pro"])
    stranger, other_pro, admin = signup_and_login(api, "CLIENT"), make_pro(api), make_admin(api)
    for who in (stranger, other_pro):
        for path in ("", "/events"):
            assert api.get(f"/bookings/{booking['id']}{path}", token=who.token).status == 404
        assert act(api, who, booking["id"], "cancel").status == 404
    assert act(api, other_pro, booking["id"], "confirm").status == 404
    seen = api.get(f"/bookings/{booking['id']}", token=admin.token)
    assert seen.status == 200 and seen.body["client"]["phone"] is not None  # admins see phones
    assert api.get("/bookings/nope", token=world["client"].token).status == 404


def _reach(api, status: str, client, pro) -> str:
    """A booking of `client` with `pro` brought to `status` through the API; returns its id."""
    slot = at(2) if status in ("CANCELLED_BY_CLIENT_LATE",) else SLOT
    if status == "COMPLETED":
        slot = at(2)
    booking_id = created(api, client, pro, slot=slot)["id"]
    steps = {
        "PENDING": [], "CONFIRMED": [(pro, "confirm", None)],
        "DECLINED": [(pro, "decline", None)], "CANCELLED_BY_CLIENT": [(client, "cancel", None)],
        "CANCELLED_BY_CLIENT_LATE": [(pro, "confirm", None), (client, "cancel", None)],
        "CANCELLED_BY_PRO": [(pro, "confirm", None), (pro, "cancel", {"reason": "malade"})],
        "COMPLETED": [(pro, "confirm", None)],
    }
    if status == "CANCELLED_AUTO_FIRST_CONFIRMED":
        rival_pro = make_pro(api)
        rival = created(api, client, rival_pro, slot=at(50))["id"]
        assert act(api, rival_pro, rival, "confirm").status == 200
    for who, action, body in steps.get(status, []):
        assert act(api, who, booking_id, action, body).status == 200
    if status == "COMPLETED":
        set_clock(api, at(4), client, pro)
        assert act(api, pro, booking_id, "complete").status == 200
    if status == "EXPIRED":
        set_clock(api, at(13), client, pro)
        assert api.post("/_dev/jobs/expire-bookings").body["summary"] == {"expired": 1}
    return booking_id


@pytest.mark.parametrize("status", ["PENDING", "CONFIRMED", "DECLINED", "CANCELLED_BY_CLIENT",
                                    "CANCELLED_BY_CLIENT_LATE", "CANCELLED_BY_PRO",
                                    "CANCELLED_AUTO_FIRST_CONFIRMED", "EXPIRED", "COMPLETED"])
def test_privacy_shield_shows_phones_only_on_a_confirmed_booking(api, world, status):
    client, pro = world["client"], world["pro"]
    booking_id = _reach(api, status, client, pro)
    phones = {user_item(client.id).phone, user_item(pro.id).phone, user_item(pro.id).whatsapp}
    for who in (client, pro):
        view = api.get(f"/bookings/{booking_id}", token=who.token).body
        assert view["status"] == status
        shown = {view["client"]["phone"], view["pro"]["phone"], view["pro"]["whatsapp"]}
        assert shown == (phones if status == "CONFIRMED" else {None})
        listed = [b for b in api.get("/bookings", token=who.token).body["items"] if b["id"] == booking_id]
        assert listed == [view]
        events = str(api.get(f"/bookings/{booking_id}/events", token=who.token).body)
        assert not any(phone in events for phone in phones)
    for message in outbox():
        if message["type"] != "BOOKING_CONFIRMED":
            assert not any(phone in message["body"] for phone in phones)


# ---------------------------------------------------------------- confirm
def test_confirm_locks_the_held_hours_and_releases_them_on_cancel(api, world):
    client, pro = world["client"], world["pro"]
    booking = created(api, client, pro)
    reply = act(api, pro, booking["id"], "confirm", {"estimatedDuration": "H3"})
    assert reply.status == 200 and reply.body["status"] == "CONFIRMED"
    assert reply.body["estimatedDuration"] == "H3" and reply.body["pro"]["whatsapp"] == "+212700000001"
    locks = table_items(f"USER#{pro.id}")
    assert sorted(i["SK"] for i in locks if i["SK"].startswith("LOCK#")) == [
        f"LOCK#2026-12-02T{h}:00:00.000000Z" for h in (10, 11, 12)]
    confirmed = [m for m in outbox() if m["type"] == "BOOKING_CONFIRMED"]
    # the contact is rendered when sent or read (SPEC §13), never stored
    assert confirmed[0]["recipient_id"] == client.id and "+212700000001" not in confirmed[0]["body"]
    # the client cancels more than 12 hours ahead: neutral, hours free again
    reply = act(api, client, booking["id"], "cancel")
    assert reply.status == 200 and reply.body["status"] == "CANCELLED_BY_CLIENT"
    assert not [i for i in table_items(f"USER#{pro.id}") if i["SK"].startswith("LOCK#")]
    events = api.get(f"/bookings/{booking['id']}/events", token=client.token).body["items"]
    assert [e["type"] for e in events] == ["CREATED", "CONFIRMED", "CANCELLED", "SLOTS_RELEASED"]
    assert book(api, client, pro, slot="2026-12-02T11:00:00+00:00").status == 201
    assert (user_item(client.id).late_cancel_count_30d or 0) == 0  # absent = 0


def test_slot_taken_when_an_hour_is_held_and_nothing_changes(api, world):
    client, pro = world["client"], world["pro"]
    later = created(api, client, pro, slot="2026-12-02T11:00:00+00:00")
    other = signup_and_login(api, "CLIENT")
    first = created(api, other, pro, slot="2026-12-02T10:00:00+00:00")
    assert act(api, pro, later["id"], "confirm").status == 200
    reply = act(api, pro, first["id"], "confirm", {"estimatedDuration": "H2"})
    assert reply.status == 409 and code(reply) == "SLOT_TAKEN"
    assert status_of(api, other, first["id"]) == "PENDING"
    events = api.get(f"/bookings/{first['id']}/events", token=other.token).body["items"]
    assert [e["type"] for e in events] == ["CREATED"]
    assert act(api, pro, first["id"], "confirm", {"estimatedDuration": "H1"}).status == 200


def test_confirm_cancels_the_clients_other_pendings_and_declines_the_pros_overlapping_ones(api, world):
    client, pro = world["client"], world["pro"]
    pro_b, pro_c = make_pro(api), make_pro(api, categories=("menage",))
    mine = created(api, client, pro)
    sibling = created(api, client, pro_b, slot=at(60))
    other_group = created(api, client, pro_c, slot=at(61), category="menage")
    rival_client = signup_and_login(api, "CLIENT")
    rival = created(api, rival_client, pro, slot="2026-12-02T11:00:00+00:00")
    # When the pro confirms for two hours
    assert act(api, pro, mine["id"], "confirm", {"estimatedDuration": "H2"}).status == 200
    # Then the client's other request of the group is auto-cancelled, the other group untouched
    assert status_of(api, client, sibling["id"]) == "CANCELLED_AUTO_FIRST_CONFIRMED"
    assert status_of(api, client, other_group["id"]) == "PENDING"
    sibling_events = api.get(f"/bookings/{sibling['id']}/events", token=client.token).body["items"]
    assert (sibling_events[-1]["type"], sibling_events[-1]["actorRole"], sibling_events[-1]["actorUserId"]) == (
        "CANCELLED", None, None)
    # and the pro's overlapping request of another client waits for the confirm's follow-up task
    assert status_of(api, rival_client, rival["id"]) == "PENDING"
    [task] = undone_tasks()
    assert pending_tasks() == []  # not in the retry index: only a failed run puts it there
    assert (task.kind, task.pro_id, task.confirmed_booking_id) == ("DECLINE_OVERLAPPING", pro.id, mine["id"])
    assert [parse_timestamp(h) for h in task.hours] == [parse_timestamp(SLOT), parse_timestamp(at(27))]
    # When the stream runs it: the rival is declined SLOT_TAKEN by the system, and hears of it
    _ran, answer = run_follow_ups()
    assert answer == {"batchItemFailures": []} and undone_tasks() == [] and pending_tasks() == []
    seen = api.get(f"/bookings/{rival['id']}", token=rival_client.token).body
    assert (seen["status"], seen["cancelReason"]) == ("DECLINED", "SLOT_TAKEN")
    rival_events = api.get(f"/bookings/{rival['id']}/events", token=rival_client.token).body["items"]
    assert [(e["type"], e["actorRole"], e["metadata"]) for e in rival_events][-1] == (
        "DECLINED", None, {"cancelReason": "SLOT_TAKEN"})
    # the group counter is free again: 3 new requests fit
    for hour in (70, 71, 72):
        assert book(api, client, pro_b, slot=at(hour)).status == 201
    kinds = {(m["type"], m["recipient_id"]) for m in outbox()}
    assert ("BOOKING_CANCELLED_AUTO_FIRST_CONFIRMED", pro_b.id) in kinds
    assert ("BOOKING_DECLINED", rival_client.id) in kinds


def test_running_a_confirms_follow_up_again_changes_nothing(api, world):
    # Given a confirm whose follow-up already declined the overlapping request
    client, pro = world["client"], world["pro"]
    rival_client = signup_and_login(api, "CLIENT")
    mine, rival = created(api, client, pro), created(api, rival_client, pro)
    assert act(api, pro, mine["id"], "confirm").status == 200
    tasks, _answer = run_follow_ups()
    before = sorted(str(item) for item in table_items("BOOKING#") + outbox())
    # When the stream delivers the same task again (a retry, or the job at the same time)
    _ran, answer = run_follow_ups(tasks)
    # Then it succeeds and nothing changed: no second event, message or status change
    assert answer == {"batchItemFailures": []}
    assert sorted(str(item) for item in table_items("BOOKING#") + outbox()) == before


def test_an_overlapping_request_expired_by_the_time_the_follow_up_runs_is_expired_not_declined(api, world):
    # Given a confirm, and an overlapping request whose expiry (12 h after creation) passes
    # before the follow-up runs
    client, pro = world["client"], world["pro"]
    rival_client = signup_and_login(api, "CLIENT")
    mine, rival = created(api, client, pro), created(api, rival_client, pro)
    assert act(api, pro, mine["id"], "confirm").status == 200
    set_clock(api, at(12.5), rival_client)
    # When the follow-up runs
    run_follow_ups()
    # Then the request is EXPIRED by the system, with its EXPIRED message to the client
    seen = api.get(f"/bookings/{rival['id']}", token=rival_client.token).body
    assert (seen["status"], seen["cancelReason"]) == ("EXPIRED", None)
    assert [m["type"] for m in outbox() if m["recipient_id"] == rival_client.id] == ["BOOKING_EXPIRED"]


def _confirmed_follow_up(api, world):
    """A confirm whose follow-up the stream has not run yet, and the rival request it declines."""
    client, pro = world["client"], world["pro"]
    rival_client = signup_and_login(api, "CLIENT")
    mine, rival = created(api, client, pro), created(api, rival_client, pro)
    assert act(api, pro, mine["id"], "confirm").status == 200
    [task] = undone_tasks()
    return task, rival_client, rival


def test_the_retry_job_runs_only_failed_follow_ups(api, world):
    # Given a confirm whose follow-up the stream has not run yet
    task, rival_client, rival = _confirmed_follow_up(api, world)
    # When the job runs a minute later, it leaves it to the stream (no failed run)
    set_clock(api, at(0.02), rival_client)
    assert api.post("/_dev/jobs/retry-follow-ups").body["summary"] == {"ran": 0, "failed": 0}
    assert status_of(api, rival_client, rival["id"]) == "PENDING"
    # Then once a run failed (the task enters TASK_RETRY) the job runs it
    assert mark_for_retry(task) and [t.task_id for t in pending_tasks()] == [task.task_id]
    assert api.post("/_dev/jobs/retry-follow-ups").body["summary"] == {"ran": 1, "failed": 0}
    assert status_of(api, rival_client, rival["id"]) == "DECLINED"
    assert pending_tasks() == [] and undone_tasks() == []
    # and a done task never enters the retry index again
    assert not mark_for_retry(task) and pending_tasks() == []


def test_the_retry_job_waits_a_minute_after_the_confirm(api, world):
    # Given a confirm whose follow-up's stream run failed at once
    task, rival_client, rival = _confirmed_follow_up(api, world)
    mark_for_retry(task)
    # When the job runs within the minute, nothing is taken from the stream's retries
    assert api.post("/_dev/jobs/retry-follow-ups").body["summary"] == {"ran": 0, "failed": 0}
    # Then a minute later it runs the task, once
    set_clock(api, at(0.02), rival_client)
    assert api.post("/_dev/jobs/retry-follow-ups").body["summary"] == {"ran": 1, "failed": 0}
    assert api.post("/_dev/jobs/retry-follow-ups").body["summary"] == {"ran": 0, "failed": 0}
    assert status_of(api, rival_client, rival["id"]) == "DECLINED"
    assert pending_tasks() == [] and undone_tasks() == []


def test_confirm_rules(api, world):
    client, pro = world["client"], world["pro"]
    booking = created(api, client, pro)
    assert act(api, client, booking["id"], "confirm").status == 403
    assert code(act(api, pro, booking["id"], "confirm", {"estimatedDuration": "H5"})) == "VALIDATION_ERROR"
    assert act(api, pro, booking["id"], "confirm", raw := None).status == 200
    assert code(act(api, pro, booking["id"], "confirm")) == "INVALID_TRANSITION"


def test_suspended_pro_cannot_confirm_but_can_decline(api, world):
    from khadamat.dal.users import UserItem
    client, pro = world["client"], world["pro"]
    booking = created(api, client, pro)
    user_item(pro.id).update(actions=[UserItem.status.set("SUSPENDED")])
    reply = act(api, pro, booking["id"], "confirm")
    assert reply.status == 403 and code(reply) == "ACCOUNT_SUSPENDED"
    assert act(api, pro, booking["id"], "decline", {"reason": "indisponible"}).body["status"] == "DECLINED"


# ---------------------------------------------------------------- expiry
def test_any_touch_expires_a_pending_booking_past_its_expiry(api, world):
    client, pro = world["client"], world["pro"]
    booking = created(api, client, pro)
    set_clock(api, at(12.5), client, pro)
    reply = act(api, pro, booking["id"], "confirm")
    assert reply.status == 409 and code(reply) == "BOOKING_EXPIRED"
    assert code(act(api, pro, booking["id"], "decline")) == "INVALID_TRANSITION"
    assert code(act(api, client, booking["id"], "cancel")) == "INVALID_TRANSITION"
    events = api.get(f"/bookings/{booking['id']}/events", token=client.token).body["items"]
    assert [(e["type"], e["actorRole"]) for e in events] == [("CREATED", "CLIENT"), ("EXPIRED", None)]
    assert api.post("/_dev/jobs/expire-bookings").body["summary"] == {"expired": 0}
    for hour in (30, 31, 32):  # the counter was released
        assert book(api, client, pro, slot=at(hour)).status == 201


def test_expire_job_takes_only_due_bookings_and_is_idempotent(api, world):
    client, pro = world["client"], world["pro"]
    due = created(api, client, pro, slot=at(3))
    later = created(api, client, pro)
    set_clock(api, at(3), client, pro)
    assert api.post("/_dev/jobs/expire-bookings").body["summary"] == {"expired": 1}
    assert api.post("/_dev/jobs/expire-bookings").body["summary"] == {"expired": 0}
    assert BookingItem.get(booking_pk(due["id"]), "BOOKING").status == "EXPIRED"
    assert BookingItem.get(booking_pk(later["id"]), "BOOKING").status == "PENDING"
    expired_messages = [m for m in outbox() if m["type"] == "BOOKING_EXPIRED"]
    assert [m["recipient_id"] for m in expired_messages] == [client.id]
    assert "WHATSAPP" in expired_messages[0]["channels"]


# ---------------------------------------------------------------- cancel, penalties
def test_cancel_rules(api, world):
    client, pro = world["client"], world["pro"]
    booking = created(api, client, pro, slot=at(2))
    assert code(act(api, pro, booking["id"], "cancel")) == "INVALID_TRANSITION"  # pro must decline
    assert act(api, pro, booking["id"], "confirm").status == 200
    reply = act(api, pro, booking["id"], "cancel")
    assert reply.status == 422 and code(reply) == "REASON_REQUIRED"
    set_clock(api, at(2), client, pro)
    assert code(act(api, client, booking["id"], "cancel")) == "CANCEL_FORBIDDEN_AFTER_START"
    assert code(act(api, pro, booking["id"], "complete")) == "TOO_EARLY_TO_COMPLETE"
    assert code(act(api, pro, booking["id"], "decline")) == "INVALID_TRANSITION"


def test_five_late_cancels_step_up_the_sanctions_then_ban(api, world):
    client, pro = world["client"], world["pro"]
    ids = []
    for hour in range(2, 7):
        ids.append(created(api, client, pro, slot=at(hour))["id"])
        assert act(api, pro, ids[-1], "confirm").status == 200
    expected = [(1, 0, None), (2, 1, 48), (3, 2, 24 * 7), (4, 3, 24 * 30)]
    for booking_id, (count, tier, hours) in zip(ids, expected):
        reply = act(api, client, booking_id, "cancel")
        assert reply.body["status"] == "CANCELLED_BY_CLIENT_LATE"
        me = api.get("/me", token=client.token).body
        assert (me["lateCancelCount30d"], me["sanctionTier"]) == (count, tier)
        if hours:
            until = parse_timestamp(me["bookingCooldownUntil"])
            assert timedelta(hours=hours) <= until - BASE < timedelta(hours=hours, minutes=5)
    assert code(book(api, client, pro, slot=at(30))) == "COOLDOWN_ACTIVE"
    assert act(api, client, ids[4], "cancel").status == 200
    assert code(api.get("/me", token=client.token)) == "ACCOUNT_BANNED"
    assert len([i for i in table_items(f"USER#{client.id}") if i["SK"].startswith("PENALTY#")]) == 5


def test_pro_suspended_at_three_consecutive_cancels_and_completed_resets_the_run(api, world):
    client, pro = world["client"], world["pro"]

    def confirmed(hour):
        booking_id = created(api, client, pro, slot=at(hour))["id"]
        assert act(api, pro, booking_id, "confirm").status == 200
        return booking_id

    done = confirmed(1)
    for hour in (20, 21):
        assert act(api, pro, confirmed(hour), "cancel", {"reason": "empêchement"}).status == 200
    set_clock(api, at(2.1), client, pro)
    assert act(api, pro, done, "complete").body["status"] == "COMPLETED"
    assert (user_item(pro.id).pro_consecutive_cancel_count or 0) == 0  # absent = 0
    for hour in (22, 23):
        act(api, pro, confirmed(hour), "cancel", {"reason": "empêchement"})
    pro_item = user_item(pro.id)
    assert (pro_item.pro_cancel_count_30d, pro_item.pro_consecutive_cancel_count, pro_item.status) == (4, 2, "ACTIVE")
    act(api, pro, confirmed(24), "cancel", {"reason": "empêchement"})
    assert user_item(pro.id).status == "SUSPENDED"
    assert code(book(api, client, pro, slot=at(30))) == "PRO_NOT_FOUND"
    assert len([i for i in table_items(f"USER#{pro.id}") if i["SK"].startswith("PENALTY#")]) == 5


def test_three_consecutive_pro_cancels_suspend(api, world):
    client, pro = world["client"], world["pro"]
    for hour in (20, 21, 22):
        booking_id = created(api, client, pro, slot=at(hour))["id"]
        act(api, pro, booking_id, "confirm")
        assert act(api, pro, booking_id, "cancel", {"reason": "panne"}).body["status"] == "CANCELLED_BY_PRO"
    assert user_item(pro.id).status == "SUSPENDED"


# ---------------------------------------------------------------- reviews
def test_one_review_per_completed_booking_feeds_the_rating(api, world):
    client, pro = world["client"], world["pro"]
    booking_id = created(api, client, pro, slot=at(2))["id"]
    assert code(act(api, client, booking_id, "review", {"rating": 5})) == "INVALID_TRANSITION"
    act(api, pro, booking_id, "confirm")
    set_clock(api, at(3), client, pro)
    act(api, pro, booking_id, "complete")
    assert act(api, pro, booking_id, "review", {"rating": 5}).status == 403
    assert code(act(api, client, booking_id, "review", {"rating": 6})) == "VALIDATION_ERROR"
    reply = act(api, client, booking_id, "review", {"rating": 4, "comment": "Très bien"})
    assert reply.status == 201 and reply.body["rating"] == 4
    assert code(act(api, client, booking_id, "review", {"rating": 1})) == "ALREADY_REVIEWED"
    assert (user_item(pro.id).rating_sum, user_item(pro.id).rating_count) == (4, 1)


# ---------------------------------------------------------------- list
def test_list_is_the_callers_bookings_by_time_slot_with_filter_and_pages(api, world):
    client, pro = world["client"], world["pro"]
    hours = (40, 30, 35)
    ids = {hour: created(api, client, pro, slot=at(hour))["id"] for hour in hours}
    act(api, pro, ids[35], "decline")
    mine = api.get("/bookings", token=client.token).body
    assert [b["id"] for b in mine["items"]] == [ids[30], ids[35], ids[40]] and mine["nextToken"] is None
    assert [b["id"] for b in api.get("/bookings?status=DECLINED", token=client.token).body["items"]] == [ids[35]]
    page = api.get("/bookings?limit=2", token=pro.token).body
    assert [b["id"] for b in page["items"]] == [ids[30], ids[35]] and page["nextToken"]
    rest = api.get(f"/bookings?limit=2&nextToken={page['nextToken']}", token=pro.token).body
    assert [b["id"] for b in rest["items"]] == [ids[40]]
    assert api.get("/bookings", token=signup_and_login(api, "CLIENT").token).body["items"] == []
    for bad in ("status=NOPE", "limit=0", "limit=51"):
        assert api.get(f"/bookings?{bad}", token=client.token).status == 422
    assert api.get("/bookings?nextToken=%%%", token=client.token).status == 400  # SPEC §1


# ---------------------------------------------------------------- orphan locks
def test_release_orphan_locks_keeps_confirmed_ones(api, world):
    client, pro = world["client"], world["pro"]
    kept = created(api, client, pro)
    act(api, pro, kept["id"], "confirm")
    declined = created(api, client, pro, slot=at(40))
    act(api, pro, declined["id"], "decline")
    new_lock(pro.id, parse_timestamp(at(40)), declined["id"], BASE).save()
    new_lock(pro.id, parse_timestamp(at(41)), "no-such-booking", BASE).save()
    new_lock(pro.id, BASE - timedelta(days=31), kept["id"], BASE).save()
    summary = api.post("/_dev/jobs/release-orphan-locks").body["summary"]
    assert summary == {"checked": 4, "orphansReleased": 2, "oldReleased": 1}
    locks = [i["SK"] for i in table_items(f"USER#{pro.id}") if i["SK"].startswith("LOCK#")]
    assert locks == ["LOCK#2026-12-02T10:00:00.000000Z"]


def test_a_pro_cancel_computed_from_a_stale_account_is_recounted(api, world):
    # Given the pro's account was read before another cancel was counted (a concurrent request)
    from khadamat.dal.bookings import BookingRef
    from khadamat.usecases import booking_transitions
    client, pro = world["client"], world["pro"]
    ids = []
    for hour in (20, 21):
        ids.append(created(api, client, pro, slot=at(hour))["id"])
        act(api, pro, ids[-1], "confirm")
    stale = user_item(pro.id)
    assert act(api, pro, ids[0], "cancel", {"reason": "panne"}).status == 200
    # When the second cancel runs with the stale account
    booking_transitions.cancel(caller=stale, booking=BookingRef(ids[1]), reason="panne",
                               now=BASE + timedelta(minutes=5))
    # Then the guard made it count again: two in a row, not one
    fresh = user_item(pro.id)
    assert (fresh.pro_consecutive_cancel_count, fresh.pro_cancel_count_30d) == (2, 2)
