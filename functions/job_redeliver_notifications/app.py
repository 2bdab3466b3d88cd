from khadamat.jobs.notifications import redeliver_notifications
from khadamat.jobs.entry import job_entry

lambda_handler = job_entry(redeliver_notifications)
