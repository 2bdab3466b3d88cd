from khadamat import clock
from khadamat.api.auth import caller
from khadamat.api.models_payments import SubscriptionView
from khadamat.api.resolver import build_app
from khadamat.api.responses import Tag, returns
from khadamat.domain.accounts import Role
from khadamat.api.entry import http_entry
from khadamat.usecases import payments

app = build_app(roles=(Role.PRO,))


@app.post("/pro/subscription/cancel", summary="Cancel the premium subscription", tags=[Tag.PRO_BILLING],
          responses={200: returns(SubscriptionView, "The subscription as it will end")})
def cancel_subscription():
    return payments.cancel_subscription(caller(app), clock.now())


lambda_handler = http_entry(app)
