from khadamat import clock
from khadamat.api.auth import caller
from khadamat.api.models_bookings import BookingView
from khadamat.api.prefetch import in_path, target_ref
from khadamat.api.resolver import build_app
from khadamat.api.responses import Tag, returns
from khadamat.domain.accounts import Role
from khadamat.api.entry import http_entry
from khadamat.dal.bookings import BookingRef
from khadamat.usecases import booking_transitions

app = build_app(roles=(Role.PRO,), prefetch=in_path(BookingRef))


@app.post("/bookings/<id>/complete",
          summary="Mark a confirmed booking done (the pro)",
          tags=[Tag.BOOKINGS],
          responses={200: returns(BookingView, "The booking, COMPLETED")})
def complete_booking():
    return booking_transitions.complete(caller=caller(app), booking=target_ref(app), now=clock.now())


lambda_handler = http_entry(app)
