from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Body

from khadamat import clock
from khadamat.api.models_notifications import DevWhatsAppStatusAnswer, DevWhatsAppStatusRequest
from khadamat.api.resolver import build_app
from khadamat.api.responses import Tag, returns
from khadamat.api.entry import http_entry
from khadamat.usecases import dev, whatsapp_dev

app = build_app()


@app.post("/_dev/whatsapp/status", summary="Make the local Twilio stand-in post a signed status callback",
          tags=[Tag.LOCAL_ONLY],
          responses={200: returns(DevWhatsAppStatusAnswer, "Whether the status was recorded")})
def dev_whatsapp_status(body: Annotated[DevWhatsAppStatusRequest, Body()]):
    dev.require_local_stage()
    return whatsapp_dev.post_status(body.message_sid, body.status, body.error_code, clock.now())


lambda_handler = http_entry(app)
