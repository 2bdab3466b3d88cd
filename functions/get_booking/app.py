from khadamat import clock
from khadamat.api.auth import ANY_ROLE, caller
from khadamat.api.models_bookings import BookingView
from khadamat.api.prefetch import in_path, target_ref
from khadamat.api.resolver import build_app
from khadamat.api.responses import Tag, returns
from khadamat.api.entry import http_entry
from khadamat.dal.bookings import BookingRef
from khadamat.usecases import bookings

app = build_app(roles=ANY_ROLE, prefetch=in_path(BookingRef))


@app.get("/bookings/<id>", summary="Read one of the caller's bookings", tags=[Tag.BOOKINGS],
         responses={200: returns(BookingView, "The booking")})
def get_booking():
    return bookings.get_booking(caller=caller(app), booking=target_ref(app), now=clock.now())


lambda_handler = http_entry(app)
