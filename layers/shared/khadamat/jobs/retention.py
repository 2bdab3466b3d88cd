"""apply-retention (SPEC §7, §15): daily, what DynamoDB's TTL cannot do of the retention rules."""

from khadamat import clock
from khadamat.jobs import job


@job("apply-retention")
def apply_retention() -> dict:
    from khadamat.usecases import privacy

    return privacy.apply_retention(clock.now())
