from khadamat.api.auth import ANY_ROLE, caller
from khadamat.api.resolver import build_app, no_content
from khadamat.api.entry import http_entry
from khadamat.usecases import notifications

app = build_app(roles=ANY_ROLE)


@app.delete("/me/devices/<token>")
def remove_device(token: str):
    notifications.remove_device(caller(app), token)
    return no_content()


lambda_handler = http_entry(app)
