"""Reads of the admin console's user page (SPEC §17): one Query per kind of item.

Each reads its own key range (no scan): penalties ``USER#<id> / PENALTY#…`` newest first,
Premium subscriptions ``USER#<id> / SUBSCRIPTION#…``, and the user's last bookings by time
slot from the booking indexes (GSI1 for a client, GSI2 for a pro), newest first.
"""

from __future__ import annotations

from khadamat.dal.bookings import BookingItem, PenaltyLogItem
from khadamat.dal.payments import SubscriptionItem


def penalties_newest_first(user_id: str, limit: int = 50) -> list[PenaltyLogItem]:
    return list(PenaltyLogItem.query(f"USER#{user_id}", PenaltyLogItem.SK.startswith("PENALTY#"),
                                     scan_index_forward=False, limit=limit))


def subscriptions(pro_id: str) -> list[SubscriptionItem]:
    return list(SubscriptionItem.query(f"USER#{pro_id}", SubscriptionItem.SK.startswith("SUBSCRIPTION#")))


def last_bookings(user_id: str, as_pro: bool, limit: int = 20) -> list[BookingItem]:
    index, hash_key = ((BookingItem.by_pro, f"PROBOOKINGS#{user_id}") if as_pro
                       else (BookingItem.by_client, f"CLIENT#{user_id}"))
    return list(index.query(hash_key, scan_index_forward=False, limit=limit))
