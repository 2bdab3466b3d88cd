from khadamat import clock
from khadamat.api.auth import ANY_ROLE, caller
from khadamat.api.resolver import build_app, path_value
from khadamat.api.responses import NO_CONTENT, Tag
from khadamat.api.entry import http_entry
from khadamat.usecases import notifications

app = build_app(roles=ANY_ROLE)


@app.post("/me/notifications/<id>/read", status_code=204,
          summary="Mark a notification read",
          tags=[Tag.NOTIFICATIONS],
          responses={204: NO_CONTENT})
def read_notification():
    notification_id = path_value(app)  # template.yaml names the path parameter
    notifications.mark_read(caller(app), notification_id, now=clock.now())


lambda_handler = http_entry(app)
