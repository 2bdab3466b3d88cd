from khadamat import clock
from khadamat.api.auth import caller
from khadamat.api.models_payments import BoostCheckout, BoostCheckoutRequest
from khadamat.api.resolver import build_app
from khadamat.api.responses import Tag, returns
from khadamat.domain.accounts import Role
from khadamat.api.entry import http_entry
from khadamat.usecases import payments

app = build_app(roles=(Role.PRO,))


@app.post("/pro/boosts/checkout", status_code=201,
          summary="Start a checkout for a category boost",
          tags=[Tag.PRO_BILLING],
          responses={201: returns(BoostCheckout, "Where to pay")})
def boost_checkout(body: BoostCheckoutRequest):
    return payments.start_boost_checkout(caller(app), body.category_id, clock.now())


lambda_handler = http_entry(app)
