from khadamat import clock
from khadamat.api.models_payments import WebhookReceipt
from khadamat.api.resolver import build_app
from khadamat.api.responses import Tag, returns
from khadamat.api.entry import http_entry
from khadamat.usecases import payments

app = build_app(provider_body=True)  # Stripe signs the raw bytes it sends


@app.post("/webhooks/stripe", summary="Receive Stripe's payment events", tags=[Tag.WEBHOOKS],
          responses={200: returns(WebhookReceipt, "The event was applied (or already was)")})
def stripe_webhook():
    # The signature covers the raw body: never re-serialise parsed JSON.
    event = app.current_event
    return payments.handle_webhook(event.decoded_body, event.headers.get("stripe-signature"),
                                   clock.now())


lambda_handler = http_entry(app)
