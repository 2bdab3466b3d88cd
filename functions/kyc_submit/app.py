from khadamat import clock
from khadamat.api.auth import caller
from khadamat.api.resolver import build_app
from khadamat.domain.accounts import Role
from khadamat.api.entry import http_entry
from khadamat.usecases import kyc

app = build_app(roles=(Role.PRO,))


@app.post("/pro/kyc/submit")
def kyc_submit():
    return kyc.submit(caller(app), clock.now())


lambda_handler = http_entry(app)
