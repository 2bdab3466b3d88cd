from khadamat.jobs.purge_kyc_documents import purge_kyc_documents
from khadamat.jobs.entry import job_entry

lambda_handler = job_entry(purge_kyc_documents)
