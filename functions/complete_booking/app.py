from khadamat import clock
from khadamat.api.auth import caller, prefetched
from khadamat.api.models_bookings import BookingView, booking_in_path
from khadamat.api.resolver import build_app
from khadamat.api.responses import Tag, returns
from khadamat.domain.accounts import Role
from khadamat.observability import http_entry
from khadamat.usecases import bookings

app = build_app(roles=(Role.PRO,), prefetch=booking_in_path)


@app.post("/bookings/<booking_id>/complete",
          summary="Mark a confirmed booking done (the pro)",
          tags=[Tag.BOOKINGS],
          responses={200: returns(BookingView, "The booking, COMPLETED")})
def complete_booking(booking_id: str):
    return bookings.complete(caller=caller(app), booking_id=booking_id,
                             booking=prefetched(app, "booking"), now=clock.now())


lambda_handler = http_entry(app)
