from khadamat.jobs.bookings import retry_follow_ups
from khadamat.jobs.entry import job_entry

lambda_handler = job_entry(retry_follow_ups)
