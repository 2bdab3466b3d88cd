from khadamat import clock
from khadamat.api.auth import caller
from khadamat.api.models_pros import ReviewReplyAnswer, ReviewReplyRequest
from khadamat.api.resolver import build_app, path_value
from khadamat.api.responses import Tag, returns
from khadamat.domain.accounts import Role
from khadamat.api.entry import http_entry
from khadamat.usecases import reviews

app = build_app(roles=(Role.PRO,))


@app.post("/pro/reviews/<bookingId>/reply", status_code=201,
          summary="Reply publicly to a review",
          tags=[Tag.PRO_WORKSPACE],
          responses={201: returns(ReviewReplyAnswer, "The reply")})
def reply_to_review(body: ReviewReplyRequest):
    booking_id = path_value(app)  # template.yaml names the path parameter
    return reviews.reply(caller(app), booking_id, body.text, clock.now())


lambda_handler = http_entry(app)
