"""The suite hashes passwords at Argon2id's lowest cost; nothing else does (infra/local/password_cost.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from argon2 import PasswordHasher, extract_parameters

from infra.local import password_cost
from khadamat import passwords

REPO_ROOT = Path(__file__).resolve().parents[2]


def test_the_suite_hashes_with_argon2id_at_the_test_cost_and_verifies_either_cost():
    # Given the test process (tests/conftest.py switched the cost on)
    cheap_hash = passwords.hash_password("motdepasse1")
    # Then the hash is Argon2id at the test cost, with the production salt and hash lengths
    assert extract_parameters(cheap_hash) == password_cost.cheap_parameters()
    assert cheap_hash.startswith("$argon2id$")
    # and a right password verifies, a wrong one does not, a production-cost hash verifies too
    assert passwords.verify_password(cheap_hash, "motdepasse1")
    assert not passwords.verify_password(cheap_hash, "motdepasse2")
    assert passwords.verify_password(PasswordHasher().hash("motdepasse1"), "motdepasse1")


def test_without_the_switch_passwords_hash_at_argon2_cffis_rfc_9106_defaults():
    # Given a process without KHADAMAT_PASSWORD_HASHING (as in AWS and `make run`)
    env = {key: value for key, value in os.environ.items() if key != password_cost.ENV_VAR}
    program = ("from argon2 import PasswordHasher, extract_parameters\n"
               "from infra.local import password_cost\n"
               "from khadamat import passwords\n"
               "assert not password_cost.apply_from_environment()\n"
               "made = extract_parameters(passwords.hash_password('motdepasse1'))\n"
               "assert made == extract_parameters(PasswordHasher().hash('x')), made\n"
               "assert (made.time_cost, made.memory_cost, made.parallelism) == (3, 65536, 4), made\n")
    # When a password is hashed, then it has the production cost
    done = subprocess.run([sys.executable, "-c", program], cwd=REPO_ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
