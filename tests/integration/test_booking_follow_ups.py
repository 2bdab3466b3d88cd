"""A confirm's follow-up tasks (docs/bookings.md): the stream consumer's partial batch failures
and the local pump, in-process under moto."""

from __future__ import annotations

from infra.local.lambda_runtime import invoke
from infra.local.stream_pump import FOLLOW_UPS, StreamPump, stream_event
from khadamat.dal.tasks import TaskItem, mark_for_retry, pending_tasks
from tests.conftest import TEMPLATE
from tests.integration.booking_helpers import (act, at, set_clock, signup_and_login, undone_tasks,  # noqa: F401
                                               world)
from tests.integration.test_bookings import created, status_of


def confirmed_with_a_rival(api, world):
    """A confirmed request and another client's PENDING request of the same pro hour."""
    client, pro = world["client"], world["pro"]
    rival_client = signup_and_login(api, "CLIENT")
    mine, rival = created(api, client, pro), created(api, rival_client, pro)
    assert act(api, pro, mine["id"], "confirm").status == 200
    return rival_client, rival


def test_one_bad_record_fails_alone_and_the_good_task_of_the_batch_is_done(api, world):
    # Given a batch holding a task of a kind nobody knows, then the confirm's real task
    rival_client, rival = confirmed_with_a_rival(api, world)
    [good] = undone_tasks()
    bad = TaskItem("TASK#bad", "NO_SUCH_KIND", task_id="bad", kind="NO_SUCH_KIND", pro_id="p",
                   hours=[], confirmed_booking_id="b", created_at=good.created_at)
    bad.save()
    event = stream_event([bad, good])
    # When the stream consumer gets both
    answer = invoke(TEMPLATE.function("BookingFollowUpsFunction"), event)
    # Then only the bad record is reported failed, and the good task did its work
    bad_sequence = event["Records"][0]["dynamodb"]["SequenceNumber"]
    assert answer == {"batchItemFailures": [{"itemIdentifier": bad_sequence}]}
    assert status_of(api, rival_client, rival["id"]) == "DECLINED"
    # and only the failed task entered the retry index (the job's safety net)
    assert [task.task_id for task in pending_tasks()] == ["bad"]
    assert [task.task_id for task in undone_tasks()] == []


def test_the_local_pump_runs_a_pending_follow_up_through_the_handler(api, world):
    # Given a confirm's follow-up task, pending
    rival_client, rival = confirmed_with_a_rival(api, world)
    pump = StreamPump(TEMPLATE, sources=(FOLLOW_UPS,))
    # When the pump runs one round, then another
    assert pump.pump_once() == 1
    assert pump.pump_once() == 0
    # Then the task ran once and the overlapping request is declined
    assert status_of(api, rival_client, rival["id"]) == "DECLINED" and pump.attempts == {}


def test_the_retry_job_runs_every_stuck_task_even_when_one_fails(api, world):
    # Given a confirm's follow-up the stream did not run, and an older task that always fails
    rival_client, rival = confirmed_with_a_rival(api, world)
    [good] = undone_tasks()
    mark_for_retry(good)  # its stream run failed
    TaskItem("TASK#bad", "NO_SUCH_KIND", task_id="bad", kind="NO_SUCH_KIND", pro_id="p", hours=[],
             confirmed_booking_id="b", created_at="2026-11-30T08:00:00.000000Z",
             GSI3PK="TASK_RETRY", GSI3SK="2026-11-30T08:00:00.000000Z#bad").save()
    # When the job runs two minutes later
    set_clock(api, at(0.04), rival_client)
    summary = api.post("/_dev/jobs/retry-follow-ups").body["summary"]
    # Then the good task ran and the bad one stays pending for an operator
    assert summary == {"ran": 1, "failed": 1}
    assert status_of(api, rival_client, rival["id"]) == "DECLINED"
    assert [task.task_id for task in pending_tasks()] == ["bad"] and good.task_id != "bad"
