from khadamat import clock
from khadamat.api.auth import caller, prefetched
from khadamat.api.models_admin import pro_in_path
from khadamat.api.models_kyc import KycSummary
from khadamat.api.resolver import build_app, path_value
from khadamat.api.responses import Tag, returns
from khadamat.domain.accounts import Role
from khadamat.api.entry import http_entry
from khadamat.usecases import kyc

app = build_app(roles=(Role.ADMIN,), prefetch=pro_in_path)


@app.post("/admin/kyc/<proId>/approve", summary="Approve a pro's KYC (badge VERIFIED)", tags=[Tag.ADMIN],
          responses={200: returns(KycSummary, "The KYC file, APPROVED")})
def admin_approve_kyc():
    pro_id = path_value(app)  # template.yaml names the path parameter
    return kyc.approve(caller(app).user_id, pro_id, prefetched(app, "target"), clock.now())


lambda_handler = http_entry(app)
