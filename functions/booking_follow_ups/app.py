"""Consumes the table's stream (follow-up task inserts only, by FilterCriteria) and runs each task.

A confirm writes a DECLINE_OVERLAPPING task in its transaction; this declines the pro's other
PENDING bookings in the held hours (SLOT_TAKEN). A failed record is retried by Lambda (records
after it too: every task is idempotent), then the retry-follow-ups job picks it up.
"""

from khadamat.jobs.entry import stream_entry
from khadamat.usecases import booking_follow_ups

lambda_handler = stream_entry(booking_follow_ups.run_follow_up_record)
