"""Every test process sees the environment a function sees on the local stage.

The environment comes from template.yaml itself (same resolver as the local stack),
and is set before any khadamat module is imported (pynamodb reads the table name then).
"""

import os

from infra.local import password_cost
from infra.local.lambda_runtime import apply_environment
from infra.local.template import Template

TEMPLATE = Template()
apply_environment(TEMPLATE, endpoint_url=None)
# Argon2id at its lowest cost in tests and in the stacks they start (they inherit the variable):
# the same code path; it was ~40 % of the integration tests' CPU (infra/local/password_cost.py).
os.environ.setdefault(password_cost.ENV_VAR, password_cost.TEST_COST)
password_cost.apply_from_environment()


def name_of(number: int) -> str:
    """A name that tells test users apart: names hold letters only (SPEC §3), so digits are
    spelled as letters (``name_of(120)`` → ``"bca"``)."""
    return "".join("abcdefghij"[int(digit)] for digit in str(number))
