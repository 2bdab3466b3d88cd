from khadamat import clock
from khadamat.api.auth import ANY_ROLE, caller
from khadamat.api.resolver import build_app, no_content
from khadamat.api.entry import http_entry
from khadamat.usecases import notifications

app = build_app(roles=ANY_ROLE)


@app.post("/me/notifications/<notification_id>/read")
def read_notification(notification_id: str):
    notifications.mark_read(caller(app), notification_id, now=clock.now())
    return no_content()


lambda_handler = http_entry(app)
