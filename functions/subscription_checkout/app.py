from khadamat import clock
from khadamat.api.auth import caller
from khadamat.api.models_payments import SubscriptionCheckoutRequest
from khadamat.api.resolver import build_app, json_response
from khadamat.domain.accounts import Role
from khadamat.api.entry import http_entry
from khadamat.usecases import payments

app = build_app(roles=(Role.PRO,))


@app.post("/pro/subscription/checkout")
def subscription_checkout(body: SubscriptionCheckoutRequest):
    return json_response(payments.start_premium_checkout(caller(app), body.plan, clock.now()), 201)


lambda_handler = http_entry(app)
