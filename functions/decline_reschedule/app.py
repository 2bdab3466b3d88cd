from khadamat import clock
from khadamat.api.auth import caller, prefetched
from khadamat.api.models_bookings import BookingView, booking_in_path
from khadamat.api.resolver import build_app
from khadamat.api.responses import Tag, returns
from khadamat.domain.accounts import Role
from khadamat.observability import http_entry
from khadamat.usecases import reschedule

app = build_app(roles=(Role.CLIENT, Role.PRO), prefetch=booking_in_path)


@app.post("/bookings/<booking_id>/reschedule/decline",
          summary="Decline the other party's proposed slot",
          tags=[Tag.BOOKINGS],
          responses={200: returns(BookingView, "The booking, unchanged")})
def decline_reschedule(booking_id: str):
    return reschedule.decline(caller=caller(app), booking_id=booking_id,
                               booking=prefetched(app, "booking"), now=clock.now())


lambda_handler = http_entry(app)
