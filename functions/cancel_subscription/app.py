from khadamat import clock
from khadamat.api.auth import caller
from khadamat.api.resolver import build_app
from khadamat.domain.accounts import Role
from khadamat.api.entry import http_entry
from khadamat.usecases import payments

app = build_app(roles=(Role.PRO,))


@app.post("/pro/subscription/cancel")
def cancel_subscription():
    return payments.cancel_subscription(caller(app), clock.now())


lambda_handler = http_entry(app)
