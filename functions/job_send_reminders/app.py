from khadamat.jobs.changes import send_reminders
from khadamat.observability import job_entry

lambda_handler = job_entry(send_reminders)
