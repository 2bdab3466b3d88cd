"""The one booking serializer: Privacy Shield for every status (SPEC §6)."""

from types import SimpleNamespace

import pytest

from khadamat.domain.booking_rules import Status
from khadamat.usecases.booking_view import booking_view

CLIENT = SimpleNamespace(user_id="c1", first_name="Amina", last_name="A", phone="+212612345678")
PRO = SimpleNamespace(user_id="p1", first_name="Karim", last_name="B", phone="+212698765432",
                      whatsapp="+212700000001")


def booking(status: str):
    return SimpleNamespace(
        booking_id="b1", status=status, time_slot="2026-12-02T10:00:00.000000Z", city_id="casablanca",
        category_id="plomberie", client_id="c1", pro_id="p1", expires_at="2026-12-01T20:00:00.000000Z",
        confirmed_at=None, cancelled_at=None, completed_at=None, estimated_duration=None,
        cancel_reason=None, created_at="2026-12-01T08:00:00.000000Z", updated_at="2026-12-01T08:00:00.000000Z")


@pytest.mark.parametrize("status", list(Status))
@pytest.mark.parametrize("admin", [False, True])
def test_phones_only_when_confirmed_or_for_admins(status, admin):
    view = booking_view(booking(status), {"c1": CLIENT, "p1": PRO}, admin)
    phones = (view["client"]["phone"], view["pro"]["phone"], view["pro"]["whatsapp"])
    if admin or status == Status.CONFIRMED:
        assert phones == (CLIENT.phone, PRO.phone, PRO.whatsapp)
    else:
        assert phones == (None, None, None)
        assert "+212" not in str(view)
    assert view["timeSlot"] == "2026-12-02T10:00:00+00:00"

