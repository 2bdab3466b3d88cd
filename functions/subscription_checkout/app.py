from khadamat import clock
from khadamat.api.auth import caller
from khadamat.api.models_payments import PremiumCheckout, SubscriptionCheckoutRequest
from khadamat.api.resolver import build_app
from khadamat.api.responses import Tag, returns
from khadamat.domain.accounts import Role
from khadamat.api.entry import http_entry
from khadamat.usecases import payments

app = build_app(roles=(Role.PRO,))


@app.post("/pro/subscription/checkout", status_code=201,
          summary="Start a checkout for a premium plan",
          tags=[Tag.PRO_BILLING],
          responses={201: returns(PremiumCheckout, "Where to pay")})
def subscription_checkout(body: SubscriptionCheckoutRequest):
    return payments.start_premium_checkout(caller(app), body.plan, clock.now())


lambda_handler = http_entry(app)
