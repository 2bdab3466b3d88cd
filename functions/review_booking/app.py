from khadamat import clock
from khadamat.api.auth import caller, prefetched
from khadamat.api.models_bookings import ReviewRequest, ReviewView, booking_in_path
from khadamat.api.resolver import build_app
from khadamat.api.responses import Tag, returns
from khadamat.domain.accounts import Role
from khadamat.observability import http_entry
from khadamat.usecases import bookings

app = build_app(roles=(Role.CLIENT,), prefetch=booking_in_path)


@app.post("/bookings/<booking_id>/review", status_code=201,
          summary="Review a COMPLETED booking (the client)",
          tags=[Tag.BOOKINGS],
          responses={201: returns(ReviewView, "The review")})
def review_booking(booking_id: str, body: ReviewRequest):
    review = bookings.review(caller=caller(app), booking_id=booking_id,
                             booking=prefetched(app, "booking"), rating=body.rating,
                             comment=body.comment, now=clock.now())
    return review


lambda_handler = http_entry(app)
