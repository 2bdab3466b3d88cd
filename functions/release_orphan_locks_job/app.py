from khadamat.jobs.bookings import release_orphan_locks
from khadamat.jobs.entry import job_entry

lambda_handler = job_entry(release_orphan_locks)
