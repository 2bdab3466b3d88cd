from khadamat.api.auth import ANY_ROLE, caller
from khadamat.api.resolver import build_app, path_value
from khadamat.api.responses import NO_CONTENT, Tag
from khadamat.api.entry import http_entry
from khadamat.usecases import notifications

app = build_app(roles=ANY_ROLE)


@app.delete("/me/devices/<token>", status_code=204,
            summary="Unregister a push device",
            tags=[Tag.NOTIFICATIONS],
            responses={204: NO_CONTENT})
def remove_device():
    notifications.remove_device(caller(app), path_value(app))  # template.yaml names the parameter


lambda_handler = http_entry(app)
