from khadamat import clock
from khadamat.api.auth import caller
from khadamat.api.models_pros import ReviewReplyRequest
from khadamat.api.resolver import build_app, json_response
from khadamat.domain.accounts import Role
from khadamat.api.entry import http_entry
from khadamat.usecases import reviews

app = build_app(roles=(Role.PRO,))


@app.post("/pro/reviews/<booking_id>/reply")
def reply_to_review(booking_id: str, body: ReviewReplyRequest):
    return json_response(reviews.reply(caller(app), booking_id, body.text, clock.now()), 201)


lambda_handler = http_entry(app)
