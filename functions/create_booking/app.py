from khadamat import clock
from khadamat.api.auth import caller
from khadamat.api.models_bookings import BookingView, CreateBookingRequest
from khadamat.api.resolver import build_app
from khadamat.api.responses import Tag, returns
from khadamat.domain.accounts import Role
from khadamat.api.entry import http_entry
from khadamat.usecases import booking_requests

app = build_app(roles=(Role.CLIENT,))


@app.post("/bookings", status_code=201,
          summary="Request a booking of a pro's slot (PENDING until the pro answers)",
          tags=[Tag.BOOKINGS],
          responses={201: returns(BookingView, "The booking, PENDING")})
def create_booking(body: CreateBookingRequest):
    key = app.current_event.headers.get("idempotency-key")
    booking = booking_requests.create_booking_once(caller=caller(app), body=body.wire(),
                                                   idempotency_key=key, now=clock.now(),
                                                   lambda_context=app.lambda_context)
    return booking


lambda_handler = http_entry(app)
