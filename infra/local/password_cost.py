"""Cheaper Argon2id for the test suite's own processes and stacks (never for AWS).

Production hashes with argon2-cffi's defaults (RFC 9106: 3 passes over 64 MiB, 4 lanes):
≈ 0.25 s of CPU per hash or check, by design. The suite signs up and logs in thousands of
accounts on 2 cores, so those hashes were about half of the integration tests' CPU. Tests
therefore hash with the same algorithm (Argon2id, same salt and hash lengths, same code
path: `khadamat.passwords`) at the lowest cost, which changes no behaviour a test checks:
a right password verifies, a wrong one does not, hashes of either cost verify (argon2
reads the parameters from the hash).

Switched on by ``KHADAMAT_PASSWORD_HASHING=test`` (tests/conftest.py sets it, so the local
stacks the e2e tests start inherit it); `make run` and every deployed stage keep the real
cost. ``tests/infra/test_password_cost.py`` checks both.
"""

from __future__ import annotations

import dataclasses
import os

ENV_VAR = "KHADAMAT_PASSWORD_HASHING"
TEST_COST = "test"


def cheap_parameters():
    from argon2 import profiles

    return dataclasses.replace(profiles.RFC_9106_LOW_MEMORY, time_cost=1, memory_cost=64, parallelism=1)


def apply_from_environment() -> bool:
    """Use the test cost if the environment asks for it; True when it did."""
    if os.environ.get(ENV_VAR) != TEST_COST:
        return False
    from argon2 import PasswordHasher

    from khadamat import passwords

    cheap = PasswordHasher.from_parameters(cheap_parameters())
    passwords._hasher = lambda: cheap  # the one place khadamat.passwords gets its hasher
    return True
