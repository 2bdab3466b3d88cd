"""Reports on a booking (SPEC §8): filed by its client or pro, triaged by admins."""

from __future__ import annotations

import uuid
from datetime import datetime

from khadamat.dal import bookings as bookings_store
from khadamat.dal import reports as dal
from khadamat.dal import users
from khadamat.dal.base import PageScope
from khadamat.domain import reports as rules
from khadamat.domain.errors import Conflict, NotFound, Unprocessable
from khadamat.domain.reports import Priority, ReportStatus
from khadamat.domain.timeutil import from_storage, to_local_iso, to_storage
from khadamat.usecases import audit


def view(report: dal.ReportItem) -> dict:
    return {"id": report.report_id, "bookingId": report.booking_id,
            "reporterId": report.reporter_id, "reporterRole": report.reporter_role,
            "title": report.title, "details": report.details,
            "attachments": list(report.attachments or []), "status": report.status,
            "priority": report.priority, "isWithinDisputeWindow": report.is_within_dispute_window,
            "resolutionNote": report.resolution_note,
            "createdAt": to_local_iso(from_storage(report.created_at)),
            "updatedAt": to_local_iso(from_storage(report.updated_at))}


def create(reporter: users.UserItem, booking_id: str, title: str, details: str,
           attachments: list[str], now: datetime) -> dict:
    booking = bookings_store.get_booking(booking_id)
    if booking is None or reporter.user_id not in (booking.client_id, booking.pro_id):
        raise NotFound("no such booking")
    rules.check_attachments(attachments)
    completed_at = from_storage(booking.completed_at) if booking.completed_at else None
    within = rules.is_within_dispute_window(booking.status, completed_at, now)
    priority = rules.priority_for(within)
    report_id, created_at = str(uuid.uuid4()), to_storage(now)
    report = dal.ReportItem(
        *dal.report_key(report_id), report_id=report_id, booking_id=booking_id,
        reporter_id=reporter.user_id, reporter_role=reporter.role, title=title, details=details,
        attachments=attachments or None, status=ReportStatus.OPEN, priority=priority,
        is_within_dispute_window=within, created_at=created_at, updated_at=created_at,
        **dal.index_keys(ReportStatus.OPEN, rules.index_sort_key(priority, created_at, report_id)),
        **dal.reporter_keys(reporter.user_id, created_at, report_id))
    dal.create(report)
    return view(report)


def list_for_admin(admin: users.UserItem, status: str | None, priority: str | None, limit: int,
                   next_token: str | None) -> dict:
    """Without ``status``, reports of every status (SPEC §8)."""
    if status is not None and status not in ReportStatus.__members__:
        raise Unprocessable(f"status must be one of {', '.join(ReportStatus)}")
    if priority and priority not in Priority.__members__:
        raise Unprocessable(f"priority must be one of {', '.join(Priority)}")
    scope = PageScope("GET /admin/reports", admin.user_id, {"status": status, "priority": priority})
    items, token = dal.list_for_triage(status, Priority(priority) if priority else None, limit,
                                       next_token, scope)
    return {"items": [view(report) for report in items], "nextToken": token}


def change_status(actor_id: str, report_id: str, report: dal.ReportItem | None, status: str,
                  resolution_note: str | None, now: datetime) -> dict:
    """``report`` was read with the caller's account: one transaction, conditional on the
    status read then (the audit entry's ``before``), writes the change and its audit entry."""
    target = rules.parse_status(status)
    if report is None:
        raise NotFound("no such report")
    rules.check_transition(report.status, target)
    entry = audit.entry(actor_id, "REPORT_STATUS", "REPORT", report_id, now,
                        reason=resolution_note, before={"status": report.status},
                        after={"status": target, "resolutionNote": resolution_note})
    if dal.change_status(report_id, target, (report.status,), resolution_note, to_storage(now),
                         audit=entry) is None:
        raise Conflict("the report changed meanwhile", "INVALID_TRANSITION")
    report.status, report.updated_at = target, to_storage(now)
    if resolution_note is not None:
        report.resolution_note = resolution_note
    return view(report)
