from khadamat import clock
from khadamat.api.auth import caller
from khadamat.api.models_reports import ReportRequest
from khadamat.api.resolver import build_app, json_response
from khadamat.domain.accounts import Role
from khadamat.api.entry import http_entry
from khadamat.usecases import reports

app = build_app(roles=(Role.CLIENT, Role.PRO))


@app.post("/bookings/<booking_id>/reports")
def create_report(booking_id: str, body: ReportRequest):
    return json_response(reports.create(caller(app), booking_id, body.title, body.details,
                                        body.attachments, clock.now()), 201)


lambda_handler = http_entry(app)
