from khadamat.api.resolver import build_app
from khadamat.domain.accounts import Role
from khadamat.api.entry import http_entry
from khadamat.usecases import kyc

app = build_app(roles=(Role.ADMIN,))


@app.get("/admin/kyc/<pro_id>")
def admin_get_kyc(pro_id: str):
    return kyc.review_view(pro_id)


lambda_handler = http_entry(app)
