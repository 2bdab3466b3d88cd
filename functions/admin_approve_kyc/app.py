from khadamat import clock
from khadamat.api.resolver import build_app
from khadamat.domain.accounts import Role
from khadamat.observability import http_entry
from khadamat.usecases import kyc

app = build_app(roles=(Role.ADMIN,))


@app.post("/admin/kyc/<pro_id>/approve")
def admin_approve_kyc(pro_id: str):
    return kyc.approve(pro_id, clock.now())


lambda_handler = http_entry(app)
