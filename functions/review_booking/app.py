from khadamat import clock
from khadamat.api.auth import caller
from khadamat.api.models_bookings import ReviewRequest, ReviewView
from khadamat.api.prefetch import in_path, target_ref
from khadamat.api.resolver import build_app
from khadamat.api.responses import Tag, returns
from khadamat.domain.accounts import Role
from khadamat.api.entry import http_entry
from khadamat.dal.bookings import BookingRef
from khadamat.usecases import booking_transitions

app = build_app(roles=(Role.CLIENT,), prefetch=in_path(BookingRef))


@app.post("/bookings/<id>/review", status_code=201,
          summary="Review a COMPLETED booking (the client)",
          tags=[Tag.BOOKINGS],
          responses={201: returns(ReviewView, "The review")})
def review_booking(body: ReviewRequest):
    review = booking_transitions.review(caller=caller(app), booking=target_ref(app), rating=body.rating,
                                        comment=body.comment, now=clock.now())
    return review


lambda_handler = http_entry(app)
