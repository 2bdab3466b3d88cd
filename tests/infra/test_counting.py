"""The round-trip counter of infra/bench counts every DynamoDB request sent, refused ones too."""

from __future__ import annotations

from datetime import UTC, datetime


from infra.bench.counting import counting
from infra.local.resources import in_process_aws
from tests.conftest import TEMPLATE


def test_refused_conditional_writes_are_counted_like_any_request():
    from khadamat.dal import notifications as devices
    from khadamat.dal import users

    now = datetime.now(UTC)
    with in_process_aws(TEMPLATE):
        devices.register_device("first", "token-0001", "IOS", now)
        # When a second user registers the token: the first transaction is refused (another
        # owner), a second one hands the token over
        with counting() as tally:
            devices.register_device("second", "token-0001", "IOS", now)
        # Then both transactions are counted
        assert dict(tally.operations) == {"TransactWriteItems": 2}
        # And a refused UpdateItem (no such account) is one request too
        with counting() as tally:
            assert users.set_password("nobody", "hash", now, users.signed_out()) is False
        assert (tally.requests, dict(tally.operations)) == (1, {"UpdateItem": 1})
