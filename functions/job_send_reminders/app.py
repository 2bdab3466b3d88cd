from khadamat.jobs.changes import send_reminders
from khadamat.jobs.entry import job_entry

lambda_handler = job_entry(send_reminders)
