from khadamat.api.auth import caller
from khadamat.api.resolver import build_app
from khadamat.domain.accounts import Role
from khadamat.api.entry import http_entry
from khadamat.usecases import kyc

app = build_app(roles=(Role.PRO,))


@app.get("/pro/kyc")
def get_kyc():
    return kyc.my_kyc(caller(app))


lambda_handler = http_entry(app)
