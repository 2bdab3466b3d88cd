"""An admin created without a phone gets a placeholder one (accounts are unique by phone)."""

from khadamat.domain.accounts import normalize_moroccan_mobile
from khadamat.usecases.admin_accounts import _placeholder_phone


def test_the_placeholder_phone_is_always_a_valid_moroccan_mobile():
    # About 2% of random +2126… numbers are outside the allocated ranges: drawn 500 times, a
    # generator that does not check would fail here (it failed POST /_dev/admins with a 422).
    for _ in range(500):
        phone = _placeholder_phone()
        assert normalize_moroccan_mobile(phone) == phone
