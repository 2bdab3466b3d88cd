from khadamat import clock
from khadamat.api.models_kyc import KycRejectRequest
from khadamat.api.resolver import build_app
from khadamat.domain.accounts import Role
from khadamat.observability import http_entry
from khadamat.usecases import kyc

app = build_app(roles=(Role.ADMIN,))


@app.post("/admin/kyc/<pro_id>/reject")
def admin_reject_kyc(pro_id: str, body: KycRejectRequest):
    return kyc.reject(pro_id, body.reason, clock.now())


lambda_handler = http_entry(app)
