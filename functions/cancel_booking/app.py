from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Body

from khadamat import clock
from khadamat.api.auth import caller
from khadamat.api.models_bookings import BookingView, ReasonRequest
from khadamat.api.prefetch import in_path, target_ref
from khadamat.api.resolver import build_app
from khadamat.api.responses import Tag, returns
from khadamat.domain.accounts import Role
from khadamat.api.entry import http_entry
from khadamat.dal.bookings import BookingRef
from khadamat.usecases import booking_transitions

app = build_app(roles=(Role.CLIENT, Role.PRO), prefetch=in_path(BookingRef))


@app.post("/bookings/<id>/cancel", summary="Cancel a booking (client or pro)", tags=[Tag.BOOKINGS],
          responses={200: returns(BookingView, "The booking, CANCELLED")})
def cancel_booking(body: Annotated[ReasonRequest | None, Body()] = None):
    return booking_transitions.cancel(caller=caller(app), booking=target_ref(app),
                                      reason=body.reason if body else None, now=clock.now())


lambda_handler = http_entry(app)
