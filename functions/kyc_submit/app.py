from khadamat import clock
from khadamat.api.auth import caller
from khadamat.api.models_kyc import KycView
from khadamat.api.resolver import build_app
from khadamat.api.responses import Tag, returns
from khadamat.domain.accounts import Role
from khadamat.api.entry import http_entry
from khadamat.usecases import kyc

app = build_app(roles=(Role.PRO,))


@app.post("/pro/kyc/submit", summary="Submit the uploaded KYC documents for review", tags=[Tag.PRO_KYC],
          responses={200: returns(KycView, "The KYC state, PENDING")})
def kyc_submit():
    return kyc.submit(caller(app), clock.now())


lambda_handler = http_entry(app)
