from khadamat.jobs.retention import apply_retention
from khadamat.jobs.entry import job_entry

lambda_handler = job_entry(apply_retention)
