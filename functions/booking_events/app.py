from khadamat import clock
from khadamat.api.auth import ANY_ROLE, caller
from khadamat.api.models_bookings import BookingEvents, booking_in_path, path_booking
from khadamat.api.resolver import build_app
from khadamat.api.responses import Tag, returns
from khadamat.api.entry import http_entry
from khadamat.usecases import bookings

app = build_app(roles=ANY_ROLE, prefetch=booking_in_path)


@app.get("/bookings/<id>/events", summary="List a booking's history of events", tags=[Tag.BOOKINGS],
         responses={200: returns(BookingEvents, "The events, oldest first")})
def booking_events():
    return bookings.booking_events(caller=caller(app), booking=path_booking(app), now=clock.now())


lambda_handler = http_entry(app)
