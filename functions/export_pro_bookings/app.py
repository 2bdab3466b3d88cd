from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Query

from khadamat.api.auth import caller
from khadamat.api.resolver import build_app
from khadamat.domain.accounts import Role
from khadamat.api.entry import http_entry
from khadamat.usecases import pro_exports

app = build_app(roles=(Role.PRO,))


@app.get("/pro/bookings.csv")
def export_pro_bookings(from_: Annotated[str, Query(alias="from", max_length=16)],
                        to: Annotated[str, Query(max_length=16)]):
    body = pro_exports.export_csv(caller(app), from_, to)
    return Response(status_code=200, content_type="text/csv; charset=utf-8", body=body,
                    headers={"Content-Disposition": 'attachment; filename="reservations.csv"'})


lambda_handler = http_entry(app)
