"""Twilio's inbound WhatsApp webhook (SPEC §16): form-encoded, signed, answered with TwiML."""

from aws_lambda_powertools.event_handler import Response

from khadamat import clock
from khadamat.api.resolver import build_app
from khadamat.api.responses import Tag, text
from khadamat.api.entry import http_entry
from khadamat.usecases import whatsapp_inbound

app = build_app(provider_body=True)  # Twilio signs the URL and the form it posts


@app.post("/webhooks/twilio/whatsapp", summary="Receive a WhatsApp message or quick reply from Twilio",
          tags=[Tag.WEBHOOKS], responses={200: text("text/xml", "TwiML: the reply, or none")})
def twilio_whatsapp_webhook():
    event = app.current_event
    url = whatsapp_inbound.public_url(event.request_context.domain_name, event.raw_path,
                                      event.raw_query_string)
    reply = whatsapp_inbound.handle_inbound(url, whatsapp_inbound.form_of(event.decoded_body),
                                            event.headers.get("x-twilio-signature"), clock.now())
    return Response(200, "text/xml", whatsapp_inbound.twiml(reply))


lambda_handler = http_entry(app)
