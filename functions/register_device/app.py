from khadamat import clock
from khadamat.api.auth import ANY_ROLE, caller
from khadamat.api.models_notifications import DeviceRequest, DeviceView
from khadamat.api.resolver import build_app
from khadamat.api.responses import Tag, returns
from khadamat.api.entry import http_entry
from khadamat.usecases import notifications

app = build_app(roles=ANY_ROLE)


@app.post("/me/devices", status_code=201,
          summary="Register a device for push notifications",
          tags=[Tag.NOTIFICATIONS],
          responses={201: returns(DeviceView, "The device registered")})
def register_device(body: DeviceRequest):
    device = notifications.register_device(caller(app), platform=body.platform, token=body.token,
                                           now=clock.now())
    return device


lambda_handler = http_entry(app)
