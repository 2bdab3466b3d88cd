from khadamat import clock
from khadamat.api.auth import caller, prefetched
from khadamat.api.models_admin import review_in_path
from khadamat.api.resolver import build_app, path_value
from khadamat.api.responses import NO_CONTENT, Tag
from khadamat.domain.accounts import Role
from khadamat.api.entry import http_entry
from khadamat.usecases import moderation

app = build_app(roles=(Role.ADMIN,), prefetch=review_in_path)


@app.post("/admin/reviews/<bookingId>/unhide", status_code=204,
          summary="Bring a hidden review back",
          tags=[Tag.ADMIN],
          responses={204: NO_CONTENT})
def admin_unhide_review():
    booking_id = path_value(app)  # template.yaml names the path parameter
    moderation.set_hidden(caller(app).user_id, booking_id, prefetched(app, "target"), False,
                          None, clock.now())


lambda_handler = http_entry(app)
