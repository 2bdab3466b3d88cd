"""GET /pro/bookings.csv (SPEC §18): the pro's bookings of a date range, as a spreadsheet.

Read page by page (one Query of GSI2 PROBOOKINGS#<proId> by slot, then one BatchGetItem of
the page's clients not met before), each page written as CSV rows before the next is read:
work and memory grow with the rows exported, never with the pro's whole history.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from datetime import date, datetime, timedelta

from khadamat.dal import bookings as store
from khadamat.dal.base import get_items
from khadamat.dal.users import UserItem, user_key
from khadamat.domain.accounts import UserStatus
from khadamat.domain.errors import Unprocessable
from khadamat.domain.reference import CATEGORY_NAMES
from khadamat.domain.timeutil import from_storage, local_midnight, to_local_iso

HEADER = ("date", "heure", "catégorie", "statut", "client", "durée", "prix_mad")
MAX_DAYS = 366
PAGE_SIZE = 100
BOM = "\ufeff"
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
DELETED_CLIENT = "Client supprimé"


def _day(text: str, field: str) -> date:
    try:
        if not _DATE.fullmatch(text):
            raise ValueError
        return date.fromisoformat(text)
    except ValueError:
        raise Unprocessable(f"{field} must be a date YYYY-MM-DD") from None


def date_range(from_text: str, to_text: str) -> tuple[date, date]:
    first, last = _day(from_text, "from"), _day(to_text, "to")
    if first > last:
        raise Unprocessable("from must not be after to")
    if (last - first).days + 1 > MAX_DAYS:
        raise Unprocessable(f"at most {MAX_DAYS} days per export")
    return first, last


def _client_cell(booking: store.BookingItem, client: UserItem | None) -> str:
    if client is None or client.status == UserStatus.DELETED:
        return DELETED_CLIENT
    name = f"{client.first_name} {client.last_name[:1]}.".strip() if client.last_name else client.first_name
    # SPEC's Privacy Shield: the phone only while the booking is CONFIRMED
    return f"{name} {client.phone}" if booking.status == "CONFIRMED" and client.phone else name


def _price_cell(price: dict | None) -> str:
    if not price:
        return ""
    if price.get("pricingType") == "FIXED":
        return str(price["fixedPriceMad"])
    return f"{price['minPriceMad']}-{price['maxPriceMad']}"


def _duration_cell(booking: store.BookingItem) -> str:
    duration = booking.estimated_duration
    return f"{duration.removeprefix('H')} h" if duration else ""


def _row(booking: store.BookingItem, client: UserItem | None) -> tuple:
    local = to_local_iso(from_storage(booking.time_slot))  # 2026-12-02T10:00:00+00:00
    return (local[:10], local[11:16], CATEGORY_NAMES.get(booking.category_id, booking.category_id),
            booking.status, _client_cell(booking, client), _duration_cell(booking),
            _price_cell(booking.price))


def _pages(pro_id: str, start: datetime, end: datetime) -> Iterator[list[store.BookingItem]]:
    key = None
    while True:
        page, key = store.pro_bookings_page(pro_id, start, end, PAGE_SIZE, key)
        if page:
            yield page
        if not key:
            return


def csv_chunks(pro: UserItem, first: date, last: date) -> Iterator[str]:
    """The export, one chunk per page of bookings (the first chunk holds the BOM and header)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    buffer.write(BOM)
    writer.writerow(HEADER)
    clients: dict[str, UserItem | None] = {}
    for page in _pages(pro.user_id, local_midnight(first), local_midnight(last + timedelta(days=1))):
        unseen = sorted({b.client_id for b in page} - clients.keys())
        if unseen:
            clients.update(zip(unseen, get_items([(UserItem, *user_key(i)) for i in unseen])))
        for booking in page:
            writer.writerow(_row(booking, clients.get(booking.client_id)))
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    yield buffer.getvalue()


def export_csv(pro: UserItem, from_text: str, to_text: str) -> str:
    first, last = date_range(from_text, to_text)
    return "".join(csv_chunks(pro, first, last))
