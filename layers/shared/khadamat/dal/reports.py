"""Reports (disputes) and the admin triage index.

Keys:
  REPORT#<id> / REPORT    the report; GSI1 REPORTS#<status> / <priorityRank>#<createdAt>#<id>
                          (rank 0 = HIGH, 1 = NORMAL: a Query per status gives HIGH first,
                          then oldest first; a priority filter is a begins_with);
                          GSI2 REPORTS / <priorityRank>#<createdAt>#<id>: every report whatever
                          its status, in the same order (the unfiltered admin list). Both live
                          on the report item itself, so a status change moves the item in
                          GSI1 in the same write, and GSI2 never moves.
                          GSI4 REPORTER#<reporterId> / <createdAt>#<id> (the reporter's export)
"""

from __future__ import annotations

from pynamodb.attributes import BooleanAttribute, ListAttribute, UnicodeAttribute

from khadamat.dal import audit as audit_log
from khadamat.dal.base import (GSI1, GSI2, GSI4, BaseItem, ItemRef, PageScope, decode_page_token, encode_page_token,
                               get_or_none, conditionally)
from khadamat.domain.reports import PRIORITY_RANK, Priority


class ReportItem(BaseItem):
    report_id = UnicodeAttribute()
    booking_id = UnicodeAttribute()
    reporter_id = UnicodeAttribute()
    reporter_role = UnicodeAttribute()
    title = UnicodeAttribute()
    details = UnicodeAttribute()
    attachments = ListAttribute(of=UnicodeAttribute, null=True)
    status = UnicodeAttribute()
    priority = UnicodeAttribute()
    is_within_dispute_window = BooleanAttribute()
    resolution_note = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()

    by_status = GSI1()
    every_status = GSI2()
    by_reporter = GSI4()  # REPORTER#<userId> / <createdAt>#<id>: the reporter's data export


ALL_REPORTS_PK = "REPORTS"


def report_key(report_id: str) -> tuple[str, str]:
    return f"REPORT#{report_id}", "REPORT"


class ReportRef(ItemRef):
    """The report a request's path names (PATCH /admin/reports/{id})."""

    model = ReportItem

    def item_key(self) -> tuple[str, str]:
        return report_key(self.id)


def index_keys(status: str, sort_key: str) -> dict:
    return {"GSI1PK": f"REPORTS#{status}", "GSI1SK": sort_key,
            "GSI2PK": ALL_REPORTS_PK, "GSI2SK": sort_key}


def reporter_keys(reporter_id: str, created_at: str, report_id: str) -> dict:
    return {"GSI4PK": f"REPORTER#{reporter_id}", "GSI4SK": f"{created_at}#{report_id}"}


def create(report: ReportItem) -> None:
    report.save(condition=ReportItem.PK.does_not_exist())


def get(report_id: str) -> ReportItem | None:
    return get_or_none(ReportItem, *report_key(report_id))


def change_status(report_id: str, target: str, sources: tuple[str, ...], note: str | None,
                  now: str, audit: BaseItem | None = None) -> ReportItem | None:
    """One UpdateItem, conditional on the report being in one of ``sources``; answers the
    written item (ALL_NEW), or None when the condition failed (no such report, or another
    status: a concurrent change included). With ``audit``: one transaction with that entry,
    answering True/False (a transaction returns no item)."""
    actions = [ReportItem.status.set(target), ReportItem.updated_at.set(now),
               ReportItem.GSI1PK.set(f"REPORTS#{target}")]
    if note is not None:
        actions.append(ReportItem.resolution_note.set(note))
    report = ReportItem(*report_key(report_id))
    condition = ReportItem.status.is_in(*sources)
    if audit is not None:
        return report if audit_log.update_with(report, actions, condition, audit) else None
    return report if conditionally(report.update, actions=actions, condition=condition) else None


def list_for_triage(status: str | None, priority: Priority | None, limit: int,
                    next_token: str | None, scope: PageScope) -> tuple[list[ReportItem], str | None]:
    """HIGH first, then oldest first: one Query of GSI1 (one status) or GSI2 (every status)."""
    index, hash_key, rank_key = ((ReportItem.by_status, f"REPORTS#{status}", ReportItem.GSI1SK)
                                 if status else (ReportItem.every_status, ALL_REPORTS_PK,
                                                 ReportItem.GSI2SK))
    condition = rank_key.startswith(f"{PRIORITY_RANK[priority]}#") if priority else None
    result = index.query(hash_key, range_key_condition=condition, limit=limit,
                         last_evaluated_key=decode_page_token(next_token, scope))
    items = list(result)
    return items, encode_page_token(result.last_evaluated_key, scope)
