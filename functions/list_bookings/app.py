from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query

from khadamat.api.auth import caller
from khadamat.api.models_bookings import BookingPage
from khadamat.api.resolver import build_app
from khadamat.api.responses import Tag, returns
from khadamat.domain.accounts import Role
from khadamat.api.entry import http_entry
from khadamat.usecases import bookings

app = build_app(roles=(Role.CLIENT, Role.PRO))


@app.get("/bookings", summary="List the caller's bookings", tags=[Tag.BOOKINGS],
         responses={200: returns(BookingPage, "A page of bookings")})
def list_bookings(status: Annotated[str | None, Query(max_length=40)] = None,
                  limit: Annotated[int, Query(ge=1, le=50)] = 20,
                  next_token: Annotated[str | None, Query(alias="nextToken", max_length=2048)] = None):
    return bookings.list_bookings(caller=caller(app), status=status, limit=limit, next_token=next_token)


lambda_handler = http_entry(app)
