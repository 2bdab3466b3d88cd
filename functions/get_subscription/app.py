from khadamat import clock
from khadamat.api.auth import caller
from khadamat.api.models_payments import SubscriptionView
from khadamat.api.resolver import build_app
from khadamat.api.responses import Tag, returns
from khadamat.domain.accounts import Role
from khadamat.api.entry import http_entry
from khadamat.usecases import payments

app = build_app(roles=(Role.PRO,))


@app.get("/pro/subscription",
         summary="Read the pro's premium subscription and boosts",
         tags=[Tag.PRO_BILLING],
         responses={200: returns(SubscriptionView, "Premium (or null) and the active boosts")})
def get_subscription():
    return payments.subscription_view(caller(app), clock.now())


lambda_handler = http_entry(app)
