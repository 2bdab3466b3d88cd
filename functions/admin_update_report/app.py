from khadamat import clock
from khadamat.api.models_reports import ReportStatusRequest
from khadamat.api.resolver import build_app
from khadamat.domain.accounts import Role
from khadamat.observability import http_entry
from khadamat.usecases import reports

app = build_app(roles=(Role.ADMIN,))


@app.patch("/admin/reports/<report_id>")
def admin_update_report(report_id: str, body: ReportStatusRequest):
    return reports.change_status(report_id, body.status, body.resolution_note, clock.now())


lambda_handler = http_entry(app)
