"""redeliver-notifications: outbox messages still pending after the stream's retries."""

from khadamat import clock
from khadamat.jobs import job
from khadamat.usecases import notifications


@job("redeliver-notifications")
def redeliver_notifications() -> dict:
    return notifications.redeliver_stuck(clock.now())
