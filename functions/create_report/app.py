from khadamat import clock
from khadamat.api.auth import caller
from khadamat.api.models_reports import ReportRequest, ReportView
from khadamat.api.resolver import build_app, path_value
from khadamat.api.responses import Tag, returns
from khadamat.domain.accounts import Role
from khadamat.api.entry import http_entry
from khadamat.usecases import reports

app = build_app(roles=(Role.CLIENT, Role.PRO))


@app.post("/bookings/<id>/reports", status_code=201,
          summary="Report a problem with a booking",
          tags=[Tag.REPORTS],
          responses={201: returns(ReportView, "The report, OPEN")})
def create_report(body: ReportRequest):
    booking_id = path_value(app)  # template.yaml names the path parameter
    return reports.create(caller(app), booking_id, body.title, body.details,
                                        body.attachments, clock.now())


lambda_handler = http_entry(app)
