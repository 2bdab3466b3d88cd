from khadamat import clock
from khadamat.api.auth import ANY_ROLE, caller, prefetched
from khadamat.api.models_bookings import BookingEvents, booking_in_path
from khadamat.api.resolver import build_app
from khadamat.api.responses import Tag, returns
from khadamat.observability import http_entry
from khadamat.usecases import bookings

app = build_app(roles=ANY_ROLE, prefetch=booking_in_path)


@app.get("/bookings/<booking_id>/events", summary="List a booking's history of events", tags=[Tag.BOOKINGS],
         responses={200: returns(BookingEvents, "The events, oldest first")})
def booking_events(booking_id: str):
    return bookings.booking_events(caller=caller(app), booking_id=booking_id,
                                   booking=prefetched(app, "booking"), now=clock.now())


lambda_handler = http_entry(app)
