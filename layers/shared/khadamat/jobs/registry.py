"""The list of job modules; each registers its job with ``@job(name)`` on import."""
from khadamat.jobs import purge_kyc_documents  # noqa: F401,E402
from khadamat.jobs import notifications  # noqa: F401,E402  (issue 8)
from khadamat.jobs import bookings  # noqa: F401,E402  (expire-bookings, release-orphan-locks)
from khadamat.jobs import retention  # noqa: F401,E402  (apply-retention, issue 16)
from khadamat.jobs import changes  # noqa: F401,E402  (issue 20: send-reminders)
from khadamat.jobs import recommendations  # noqa: F401,E402  (issue 19: recommend-pros)
