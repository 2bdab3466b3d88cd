from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query

from khadamat.api.auth import caller
from khadamat.api.resolver import build_app
from khadamat.domain.accounts import Role
from khadamat.api.entry import http_entry
from khadamat.usecases import bookings

app = build_app(roles=(Role.CLIENT, Role.PRO))


@app.get("/bookings")
def list_bookings(status: Annotated[str | None, Query(max_length=40)] = None,
                  limit: Annotated[int, Query(ge=1, le=50)] = 20,
                  next_token: Annotated[str | None, Query(alias="nextToken", max_length=2048)] = None):
    return bookings.list_bookings(caller=caller(app), status=status, limit=limit, next_token=next_token)


lambda_handler = http_entry(app)
