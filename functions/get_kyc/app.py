from khadamat.api.auth import caller
from khadamat.api.models_kyc import KycView
from khadamat.api.resolver import build_app
from khadamat.api.responses import Tag, returns
from khadamat.domain.accounts import Role
from khadamat.api.entry import http_entry
from khadamat.usecases import kyc

app = build_app(roles=(Role.PRO,))


@app.get("/pro/kyc", summary="Read the pro's KYC status and which documents are uploaded", tags=[Tag.PRO_KYC],
         responses={200: returns(KycView, "The KYC state")})
def get_kyc():
    return kyc.my_kyc(caller(app))


lambda_handler = http_entry(app)
