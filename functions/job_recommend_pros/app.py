from khadamat.jobs.recommendations import recommend_pros
from khadamat.jobs.entry import job_entry

lambda_handler = job_entry(recommend_pros)
