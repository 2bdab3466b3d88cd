from khadamat import clock
from khadamat.api.auth import ANY_ROLE, caller
from khadamat.api.models_bookings import BookingEvents
from khadamat.api.prefetch import in_path, target_ref
from khadamat.api.resolver import build_app
from khadamat.api.responses import Tag, returns
from khadamat.api.entry import http_entry
from khadamat.dal.bookings import BookingRef
from khadamat.usecases import bookings

app = build_app(roles=ANY_ROLE, prefetch=in_path(BookingRef))


@app.get("/bookings/<id>/events", summary="List a booking's history of events", tags=[Tag.BOOKINGS],
         responses={200: returns(BookingEvents, "The events, oldest first")})
def booking_events():
    return bookings.booking_events(caller=caller(app), booking=target_ref(app), now=clock.now())


lambda_handler = http_entry(app)
