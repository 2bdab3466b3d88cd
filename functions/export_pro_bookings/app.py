from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Query

from khadamat.api.auth import caller
from khadamat.api.resolver import build_app
from khadamat.api.responses import Tag, text
from khadamat.domain.accounts import Role
from khadamat.api.entry import http_entry
from khadamat.usecases import pro_exports

app = build_app(roles=(Role.PRO,))


@app.get("/pro/bookings.csv",
         summary="Export the pro's bookings of a period as CSV",
         tags=[Tag.PRO_WORKSPACE],
         responses={200: text("text/csv", "The bookings, one per row")})
def export_pro_bookings(from_: Annotated[str, Query(alias="from", max_length=16)],
                        to: Annotated[str, Query(max_length=16)]):
    body = pro_exports.export_csv(caller(app), from_, to)
    return Response(status_code=200, content_type="text/csv; charset=utf-8", body=body,
                    headers={"Content-Disposition": 'attachment; filename="reservations.csv"'})


lambda_handler = http_entry(app)
