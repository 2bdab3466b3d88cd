from khadamat import clock
from khadamat.api.auth import caller
from khadamat.api.resolver import build_app
from khadamat.domain.accounts import Role
from khadamat.api.entry import http_entry
from khadamat.usecases import payments

app = build_app(roles=(Role.PRO,))


@app.get("/pro/subscription")
def get_subscription():
    return payments.subscription_view(caller(app), clock.now())


lambda_handler = http_entry(app)
