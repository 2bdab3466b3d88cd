from khadamat import clock
from khadamat.api.auth import caller, prefetched
from khadamat.api.models_admin import ReviewHideRequest, review_in_path
from khadamat.api.resolver import build_app, path_value
from khadamat.api.responses import NO_CONTENT, Tag
from khadamat.domain.accounts import Role
from khadamat.api.entry import http_entry
from khadamat.usecases import moderation

app = build_app(roles=(Role.ADMIN,), prefetch=review_in_path)


@app.post("/admin/reviews/<bookingId>/hide", status_code=204,
          summary="Hide a review from the public",
          tags=[Tag.ADMIN],
          responses={204: NO_CONTENT})
def admin_hide_review(body: ReviewHideRequest):
    booking_id = path_value(app)  # template.yaml names the path parameter
    moderation.set_hidden(caller(app).user_id, booking_id, prefetched(app, "target"), True,
                          body.reason, clock.now())


lambda_handler = http_entry(app)
