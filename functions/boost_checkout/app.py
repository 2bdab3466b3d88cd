from khadamat import clock
from khadamat.api.auth import caller
from khadamat.api.models_payments import BoostCheckoutRequest
from khadamat.api.resolver import build_app, json_response
from khadamat.domain.accounts import Role
from khadamat.api.entry import http_entry
from khadamat.usecases import payments

app = build_app(roles=(Role.PRO,))


@app.post("/pro/boosts/checkout")
def boost_checkout(body: BoostCheckoutRequest):
    return json_response(payments.start_boost_checkout(caller(app), body.category_id, clock.now()),
                         201)


lambda_handler = http_entry(app)
