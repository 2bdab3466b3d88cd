from khadamat import clock
from khadamat.api.auth import caller
from khadamat.api.prefetch import in_path, target
from khadamat.api.resolver import build_app, path_value
from khadamat.api.responses import NO_CONTENT, Tag
from khadamat.domain.accounts import Role
from khadamat.api.entry import http_entry
from khadamat.dal.bookings import ReviewRef
from khadamat.usecases import moderation

app = build_app(roles=(Role.ADMIN,), prefetch=in_path(ReviewRef))


@app.post("/admin/reviews/<bookingId>/unhide", status_code=204,
          summary="Bring a hidden review back",
          tags=[Tag.ADMIN],
          responses={204: NO_CONTENT})
def admin_unhide_review():
    booking_id = path_value(app)  # template.yaml names the path parameter
    moderation.set_hidden(caller(app).user_id, booking_id, target(app), False,
                          None, clock.now())


lambda_handler = http_entry(app)
