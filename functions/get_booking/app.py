from khadamat import clock
from khadamat.api.auth import ANY_ROLE, caller
from khadamat.api.models_bookings import BookingView, booking_in_path, path_booking
from khadamat.api.resolver import build_app
from khadamat.api.responses import Tag, returns
from khadamat.api.entry import http_entry
from khadamat.usecases import bookings

app = build_app(roles=ANY_ROLE, prefetch=booking_in_path)


@app.get("/bookings/<id>", summary="Read one of the caller's bookings", tags=[Tag.BOOKINGS],
         responses={200: returns(BookingView, "The booking")})
def get_booking():
    return bookings.get_booking(caller=caller(app), booking=path_booking(app), now=clock.now())


lambda_handler = http_entry(app)
