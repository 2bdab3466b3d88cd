from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Body

from khadamat import clock
from khadamat.api.models_notifications import DevWhatsAppInboundAnswer, DevWhatsAppInboundRequest
from khadamat.api.resolver import build_app
from khadamat.api.responses import Tag, returns
from khadamat.api.entry import http_entry
from khadamat.usecases import dev, whatsapp_dev

app = build_app()


@app.post("/_dev/whatsapp/inbound", summary="Make the local Twilio stand-in post a signed inbound WhatsApp message",
          tags=[Tag.LOCAL_ONLY],
          responses={200: returns(DevWhatsAppInboundAnswer, "The webhook's reply, as TwiML and as text")})
def dev_whatsapp_inbound(body: Annotated[DevWhatsAppInboundRequest, Body()]):
    dev.require_local_stage()
    return whatsapp_dev.post_inbound(body.from_, body.body, body.button_payload, body.message_sid,
                                     clock.now())


lambda_handler = http_entry(app)
