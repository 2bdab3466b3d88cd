"""The list of job modules; each registers its job with ``@job(name)`` on import."""
from collections.abc import Callable

from khadamat.domain.errors import NotFound

from khadamat.jobs import JOBS
from khadamat.jobs import purge_kyc_documents  # noqa: F401,E402
from khadamat.jobs import notifications  # noqa: F401,E402  (issue 8)
from khadamat.jobs import bookings  # noqa: F401,E402  (expire-bookings, release-orphan-locks)
from khadamat.jobs import retention  # noqa: F401,E402  (apply-retention, issue 16)
from khadamat.jobs import changes  # noqa: F401,E402  (issue 20: send-reminders)
from khadamat.jobs import recommendations  # noqa: F401,E402  (issue 19: recommend-pros)


def load_all() -> dict[str, Callable[[], dict]]:
    """Every job, by name (importing this module imported every job module)."""
    return JOBS


def run_job(name: str) -> dict:
    """``POST /_dev/jobs/{job}``: the job's own function, as its scheduled Lambda runs it."""
    jobs = load_all()
    if name not in jobs:
        raise NotFound(f"no job named {name}; jobs: {', '.join(sorted(jobs)) or 'none'}")
    return {"job": name, "summary": jobs[name]()}
