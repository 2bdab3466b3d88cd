from khadamat import clock
from khadamat.api.resolver import build_app
from khadamat.api.entry import http_entry
from khadamat.usecases import payments

app = build_app(provider_body=True)  # Stripe signs the raw bytes it sends


@app.post("/webhooks/stripe")
def stripe_webhook():
    # The signature covers the raw body: never re-serialise parsed JSON.
    event = app.current_event
    return payments.handle_webhook(event.decoded_body, event.headers.get("stripe-signature"),
                                   clock.now())


lambda_handler = http_entry(app)
