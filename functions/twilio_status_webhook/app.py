"""Twilio's message status callbacks (SPEC §16): form-encoded, signed like the inbound webhook."""

from khadamat import clock
from khadamat.api.models_notifications import TwilioStatusReceipt
from khadamat.api.resolver import build_app
from khadamat.api.responses import Tag, returns
from khadamat.api.entry import http_entry
from khadamat.usecases import whatsapp_inbound

app = build_app(provider_body=True)  # Twilio signs the URL (with its query) and the form


@app.post("/webhooks/twilio/status", summary="Receive a message delivery status from Twilio",
          tags=[Tag.WEBHOOKS],
          responses={200: returns(TwilioStatusReceipt, "Whether the status was recorded")})
def twilio_status_webhook():
    event = app.current_event
    url = whatsapp_inbound.public_url(event.request_context.domain_name, event.raw_path,
                                      event.raw_query_string)
    return whatsapp_inbound.handle_status(url, whatsapp_inbound.form_of(event.decoded_body),
                                          event.headers.get("x-twilio-signature"),
                                          dict(event.query_string_parameters or {}), clock.now())


lambda_handler = http_entry(app)
