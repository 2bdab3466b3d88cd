from khadamat import clock
from khadamat.api.auth import caller, prefetched
from khadamat.api.models_admin import pro_in_path
from khadamat.api.resolver import build_app
from khadamat.domain.accounts import Role
from khadamat.api.entry import http_entry
from khadamat.usecases import kyc

app = build_app(roles=(Role.ADMIN,), prefetch=pro_in_path)


@app.post("/admin/kyc/<pro_id>/approve")
def admin_approve_kyc(pro_id: str):
    return kyc.approve(caller(app).user_id, pro_id, prefetched(app, "target"), clock.now())


lambda_handler = http_entry(app)
