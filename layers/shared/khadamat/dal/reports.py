"""Reports (disputes) and the admin triage index.

Keys:
  REPORT#<id> / REPORT    the report; GSI1 REPORTS#<status> / <priorityRank>#<createdAt>#<id>
                          (rank 0 = HIGH, 1 = NORMAL: a Query per status gives HIGH first,
                          then oldest first; a priority filter is a begins_with)
"""

from __future__ import annotations

from pynamodb.attributes import BooleanAttribute, ListAttribute, UnicodeAttribute
from pynamodb.exceptions import UpdateError

from khadamat.dal import audit as audit_log
from khadamat.dal import pagetoken
from khadamat.dal.base import GSI1, BaseItem
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


def report_key(report_id: str) -> tuple[str, str]:
    return f"REPORT#{report_id}", "REPORT"


def index_keys(status: str, sort_key: str) -> dict:
    return {"GSI1PK": f"REPORTS#{status}", "GSI1SK": sort_key}


def create(report: ReportItem) -> None:
    report.save(condition=ReportItem.PK.does_not_exist())


def get(report_id: str) -> ReportItem | None:
    try:
        return ReportItem.get(*report_key(report_id))
    except ReportItem.DoesNotExist:
        return None


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
    try:
        report.update(actions=actions, condition=condition)
    except UpdateError as error:
        if error.cause_response_code == "ConditionalCheckFailedException":
            return None
        raise
    return report


def list_by_status(status: str, priority: Priority | None, limit: int,
                   next_token: str | None) -> tuple[list[ReportItem], str | None]:
    condition = ReportItem.GSI1SK.startswith(f"{PRIORITY_RANK[priority]}#") if priority else None
    result = ReportItem.by_status.query(f"REPORTS#{status}", range_key_condition=condition,
                                        limit=limit, last_evaluated_key=pagetoken.decode(next_token))
    items = list(result)
    return items, pagetoken.encode(result.last_evaluated_key)
