from khadamat import clock
from khadamat.api.auth import ANY_ROLE, caller, prefetched
from khadamat.api.models_bookings import BookingView, booking_in_path
from khadamat.api.resolver import build_app
from khadamat.api.responses import Tag, returns
from khadamat.observability import http_entry
from khadamat.usecases import bookings

app = build_app(roles=ANY_ROLE, prefetch=booking_in_path)


@app.get("/bookings/<booking_id>", summary="Read one of the caller's bookings", tags=[Tag.BOOKINGS],
         responses={200: returns(BookingView, "The booking")})
def get_booking(booking_id: str):
    return bookings.get_booking(caller=caller(app), booking_id=booking_id,
                                booking=prefetched(app, "booking"), now=clock.now())


lambda_handler = http_entry(app)
