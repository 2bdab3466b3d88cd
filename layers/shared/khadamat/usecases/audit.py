"""The admin audit log (SPEC §17): entries are made by each admin write's use case and
written in that write's transaction (khadamat.dal.audit); this module reads them."""

from __future__ import annotations

from datetime import datetime

from khadamat.dal import audit as dal
from khadamat.dal.base import PageScope
from khadamat.domain.timeutil import from_storage, to_local_iso, to_storage


def entry(actor_id: str, action: str, target_type: str, target_id: str, now: datetime, *,
          before: dict | None = None, after: dict | None = None,
          reason: str | None = None) -> dal.AuditItem:
    return dal.new_entry(actor_id=actor_id, action=action, target_type=target_type,
                         target_id=target_id, created_at=to_storage(now), before=before,
                         after=after, reason=reason)


def view(item: dal.AuditItem) -> dict:
    return {"id": item.audit_id, "actorId": item.actor_id, "action": item.action,
            "targetType": item.target_type, "targetId": item.target_id, "before": item.before,
            "after": item.after, "reason": item.reason,
            "createdAt": to_local_iso(from_storage(item.created_at))}


def list_entries(admin, actor_id: str | None, target_id: str | None, limit: int,
                 next_token: str | None) -> dict:
    scope = PageScope("GET /admin/audit", admin.user_id, {"actorId": actor_id, "targetId": target_id})
    items, token = dal.newest_first(actor_id or None, target_id or None, limit, next_token, scope)
    return {"items": [view(item) for item in items], "nextToken": token}
