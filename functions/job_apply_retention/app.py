from khadamat.jobs.retention import apply_retention
from khadamat.observability import job_entry

lambda_handler = job_entry(apply_retention)
