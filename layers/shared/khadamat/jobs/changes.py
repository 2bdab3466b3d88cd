"""send-reminders (SPEC §7, §19): the 24 h and 2 h reminders now due, each once."""

from khadamat import clock
from khadamat.jobs import job


@job("send-reminders")
def send_reminders() -> dict:
    from khadamat.usecases import reschedule

    return reschedule.send_due_reminders(clock.now())
