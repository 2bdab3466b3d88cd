from khadamat import clock
from khadamat.api.auth import ANY_ROLE, caller
from khadamat.api.models_notifications import DeviceRequest
from khadamat.api.resolver import build_app, json_response
from khadamat.api.entry import http_entry
from khadamat.usecases import notifications

app = build_app(roles=ANY_ROLE)


@app.post("/me/devices")
def register_device(body: DeviceRequest):
    device = notifications.register_device(caller(app), platform=body.platform, token=body.token,
                                           now=clock.now())
    return json_response(device, 201)


lambda_handler = http_entry(app)
