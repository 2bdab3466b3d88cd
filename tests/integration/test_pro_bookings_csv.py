"""GET /pro/bookings.csv (SPEC §18), through the handler under moto."""

from __future__ import annotations

import csv
import io

import pytest

from infra.bench.counting import counting

from khadamat.usecases import pro_exports
from tests.integration.booking_helpers import (act, at, book, code, make_pro, set_clock,
                                               signup_and_login)


def rows(text: str) -> list[list[str]]:
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:]), delimiter=";"))


def test_export_lists_every_booking_of_the_dates_by_slot(api):
    set_clock(api)
    pro = make_pro(api)  # RANGE 100-300
    other_pro = make_pro(api)
    nadia = signup_and_login(api, "CLIENT")
    omar = signup_and_login(api, "CLIENT")
    confirmed = book(api, nadia, pro, slot=at(26)).body["id"]          # 2026-12-02 10:00
    assert act(api, pro, confirmed, "confirm", {"estimatedDuration": "H2"}).status == 200
    declined = book(api, omar, pro, slot=at(50)).body["id"]            # 2026-12-03 10:00
    assert act(api, pro, declined, "decline").status == 200
    assert book(api, omar, pro, slot=at(29)).status == 201              # 2026-12-02 13:00 PENDING
    book(api, nadia, pro, slot=at(16))                                  # 2026-12-02 00:00 PENDING
    book(api, omar, pro, slot=at(88))                                   # 2026-12-05 00:00: outside
    book(api, nadia, other_pro, slot=at(30))                            # another pro's
    reply = api.get("/pro/bookings.csv?from=2026-12-02&to=2026-12-03", token=pro.token)
    assert reply.status == 200
    assert reply.headers["Content-Type"] == "text/csv; charset=utf-8"
    table = rows(reply.body)
    assert table[0] == ["date", "heure", "catégorie", "statut", "client", "durée", "prix_mad"]
    omar_name = api.get("/me", token=omar.token).body
    nadia_me = api.get("/me", token=nadia.token).body
    n = f"Prénom {nadia_me['lastName'][0]}."
    o = f"Prénom {omar_name['lastName'][0]}."
    assert table[1:] == [
        ["2026-12-02", "00:00", "Plomberie", "PENDING", n, "", "100-300"],
        ["2026-12-02", "10:00", "Plomberie", "CONFIRMED", f"{n} {nadia_me['phone']}", "2 h", "100-300"],
        ["2026-12-02", "13:00", "Plomberie", "PENDING", o, "", "100-300"],
        ["2026-12-03", "10:00", "Plomberie", "DECLINED", o, "", "100-300"],
    ]
    # a FIXED price is the number
    from khadamat.dal.users import UserItem, user_key
    UserItem(*user_key(pro.id)).update(actions=[UserItem.services.set(
        [{"categoryId": "plomberie", "pricingType": "FIXED", "fixedPriceMad": 250}])])
    book(api, omar, pro, slot=at(98))                                   # 2026-12-05 10:00
    assert rows(api.get("/pro/bookings.csv?from=2026-12-05&to=2026-12-05", token=pro.token).body)[-1][-1] == "250"


@pytest.mark.parametrize("query", [
    "from=2026-12-03&to=2026-12-02", "from=2026-13-01&to=2026-12-02", "from=hier&to=2026-12-02",
    "from=2026-01-01&to=2027-01-02", "to=2026-12-02", "from=2026-12-02",
])
def test_bad_ranges_are_422(api, query):
    set_clock(api)
    pro = make_pro(api)
    reply = api.get(f"/pro/bookings.csv?{query}", token=pro.token)
    assert (reply.status, code(reply)) == (422, "VALIDATION_ERROR")


def test_366_days_is_allowed_and_reads_grow_with_the_rows_exported(api, monkeypatch):
    set_clock(api)
    pro = make_pro(api)
    clients = [signup_and_login(api, "CLIENT") for _ in range(3)]
    for n in range(9):
        book(api, clients[n % 3], pro, slot=at(26 + 24 * n))
    assert api.get("/pro/bookings.csv?from=2026-01-01&to=2026-12-31", token=pro.token).status == 200
    monkeypatch.setattr(pro_exports, "PAGE_SIZE", 4)
    with counting() as tally:  # DynamoDB requests, the local clock's reads aside
        reply = api.get("/pro/bookings.csv?from=2026-12-01&to=2026-12-31", token=pro.token)
    assert len(rows(reply.body)) == 1 + 9
    # the caller, then 3 pages of 4, 4, 1 (+ one empty page that ends the listing at most);
    # the 3 clients are read once, with the first page
    assert tally.operations["BatchGetItem"] == 1
    assert tally.operations["Query"] in (3, 4)
