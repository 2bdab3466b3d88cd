from khadamat import clock
from khadamat.api.auth import caller
from khadamat.api.models_bookings import BookingView, booking_in_path, path_booking
from khadamat.api.resolver import build_app
from khadamat.api.responses import Tag, returns
from khadamat.domain.accounts import Role
from khadamat.api.entry import http_entry
from khadamat.usecases import booking_transitions

app = build_app(roles=(Role.PRO,), prefetch=booking_in_path)


@app.post("/bookings/<id>/complete",
          summary="Mark a confirmed booking done (the pro)",
          tags=[Tag.BOOKINGS],
          responses={200: returns(BookingView, "The booking, COMPLETED")})
def complete_booking():
    return booking_transitions.complete(caller=caller(app), booking=path_booking(app), now=clock.now())


lambda_handler = http_entry(app)
