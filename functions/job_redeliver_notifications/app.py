from khadamat.jobs.notifications import redeliver_notifications
from khadamat.observability import job_entry

lambda_handler = job_entry(redeliver_notifications)
