from khadamat.jobs.bookings import expire_bookings
from khadamat.jobs.entry import job_entry

lambda_handler = job_entry(expire_bookings)
