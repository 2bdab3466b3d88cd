"""The admin audit log (SPEC §17): one item per admin write, written in that write's
transaction, never updated or deleted by any route.

Keys:
  AUDIT#<id> / AUDIT          the entry (before/after as JSON); put only if absent
  GSI1 AUDIT_ACTOR#<actorId> / <createdAt>#<id>    "what did this admin do", newest first
  GSI2 AUDIT_TARGET#<targetId> / <createdAt>#<id>  "what happened to this user/report/…"
  GSI3 AUDIT / <createdAt>#<id>                    the whole log, newest first
"""

from __future__ import annotations

import uuid

from pynamodb.attributes import JSONAttribute, UnicodeAttribute
from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

from khadamat.dal.base import (GSI1, GSI2, GSI3, BaseItem, PageScope, connection, decode_page_token,
                               encode_page_token)

ALL_ENTRIES_PK = "AUDIT"


class AuditItem(BaseItem):
    audit_id = UnicodeAttribute()
    actor_id = UnicodeAttribute()
    action = UnicodeAttribute()
    target_type = UnicodeAttribute()
    target_id = UnicodeAttribute()
    before = JSONAttribute(null=True)
    after = JSONAttribute(null=True)
    reason = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute()

    by_actor = GSI1()
    by_target = GSI2()
    newest = GSI3()


def new_entry(*, actor_id: str, action: str, target_type: str, target_id: str, created_at: str,
              before: dict | None = None, after: dict | None = None,
              reason: str | None = None) -> AuditItem:
    audit_id = str(uuid.uuid4())
    sort_key = f"{created_at}#{audit_id}"
    return AuditItem(f"AUDIT#{audit_id}", "AUDIT", audit_id=audit_id, actor_id=actor_id,
                     action=action, target_type=target_type, target_id=target_id, before=before,
                     after=after, reason=reason, created_at=created_at,
                     GSI1PK=f"AUDIT_ACTOR#{actor_id}", GSI1SK=sort_key,
                     GSI2PK=f"AUDIT_TARGET#{target_id}", GSI2SK=sort_key,
                     GSI3PK=ALL_ENTRIES_PK, GSI3SK=sort_key)


def put_in(tx: TransactWrite, entry: AuditItem) -> None:
    """The entry joins the admin write's transaction: both happen, or neither."""
    tx.save(entry, condition=AuditItem.PK.does_not_exist())


def update_with(item: BaseItem, actions: list, condition, entry: AuditItem) -> bool:
    """A conditional update and its audit entry in one TransactWriteItems; False when the
    condition failed (nothing written)."""
    try:
        with TransactWrite(connection=connection()) as tx:
            tx.update(item, actions=actions, condition=condition)
            put_in(tx, entry)
    except TransactWriteError as error:
        if error.cause_response_code == "TransactionCanceledException":
            return False
        raise
    return True


def save_alone(entry: AuditItem) -> None:
    """For a write that is itself one put (the admin-creation script's own entry)."""
    entry.save(condition=AuditItem.PK.does_not_exist())


def newest_first(actor_id: str | None, target_id: str | None, limit: int,
                 next_token: str | None, scope: PageScope) -> tuple[list[AuditItem], str | None]:
    """One Query: by target (then filtered by actor when both are given), by actor, or all."""
    start = decode_page_token(next_token, scope)
    if target_id:
        condition = AuditItem.actor_id == actor_id if actor_id else None
        result = AuditItem.by_target.query(f"AUDIT_TARGET#{target_id}", filter_condition=condition,
                                           scan_index_forward=False, limit=limit,
                                           last_evaluated_key=start)
    elif actor_id:
        result = AuditItem.by_actor.query(f"AUDIT_ACTOR#{actor_id}", scan_index_forward=False,
                                          limit=limit, last_evaluated_key=start)
    else:
        result = AuditItem.newest.query(ALL_ENTRIES_PK, scan_index_forward=False, limit=limit,
                                        last_evaluated_key=start)
    items = list(result)
    return items, encode_page_token(result.last_evaluated_key, scope)
