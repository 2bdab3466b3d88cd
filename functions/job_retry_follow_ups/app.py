from khadamat.jobs.bookings import retry_follow_ups
from khadamat.observability import job_entry

lambda_handler = job_entry(retry_follow_ups)
