"""Scheduled jobs (SPEC §7): each is a function of the layer returning a JSON summary.

The job Lambdas (functions/job_*) and the local ``POST /_dev/jobs/{job}`` call the
same function, so the local stack runs exactly the code EventBridge runs in AWS.
``khadamat.jobs.registry.load_all()`` imports every job module (each registers itself here).
"""

from __future__ import annotations

from collections.abc import Callable

JOBS: dict[str, Callable[[], dict]] = {}


def job(name: str):
    def register(run: Callable[[], dict]) -> Callable[[], dict]:
        JOBS[name] = run
        return run

    return register

