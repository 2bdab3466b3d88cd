from khadamat import clock
from khadamat.api.auth import caller
from khadamat.api.models_bookings import ReviewRequest, ReviewView, booking_in_path, path_booking
from khadamat.api.resolver import build_app
from khadamat.api.responses import Tag, returns
from khadamat.domain.accounts import Role
from khadamat.api.entry import http_entry
from khadamat.usecases import booking_transitions

app = build_app(roles=(Role.CLIENT,), prefetch=booking_in_path)


@app.post("/bookings/<id>/review", status_code=201,
          summary="Review a COMPLETED booking (the client)",
          tags=[Tag.BOOKINGS],
          responses={201: returns(ReviewView, "The review")})
def review_booking(body: ReviewRequest):
    review = booking_transitions.review(caller=caller(app), booking=path_booking(app), rating=body.rating,
                                        comment=body.comment, now=clock.now())
    return review


lambda_handler = http_entry(app)
