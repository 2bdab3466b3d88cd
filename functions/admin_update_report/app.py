from khadamat import clock
from khadamat.api.models_reports import ReportStatusRequest, ReportView
from khadamat.api.auth import caller
from khadamat.api.prefetch import in_path, target
from khadamat.api.resolver import build_app, path_value
from khadamat.api.responses import Tag, returns
from khadamat.domain.accounts import Role
from khadamat.api.entry import http_entry
from khadamat.dal.reports import ReportRef
from khadamat.usecases import reports

app = build_app(roles=(Role.ADMIN,), prefetch=in_path(ReportRef))


@app.patch("/admin/reports/<id>", summary="Move a report along its workflow", tags=[Tag.ADMIN],
           responses={200: returns(ReportView, "The report as changed")})
def admin_update_report(body: ReportStatusRequest):
    report_id = path_value(app)  # template.yaml names the path parameter
    return reports.change_status(caller(app).user_id, report_id, target(app),
                                 body.status, body.resolution_note, clock.now())


lambda_handler = http_entry(app)
