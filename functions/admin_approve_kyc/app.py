from khadamat import clock
from khadamat.api.auth import caller
from khadamat.api.models_kyc import KycSummary
from khadamat.api.prefetch import in_path, target
from khadamat.api.resolver import build_app, path_value
from khadamat.api.responses import Tag, returns
from khadamat.domain.accounts import Role
from khadamat.api.entry import http_entry
from khadamat.dal.users import UserRef
from khadamat.usecases import kyc

app = build_app(roles=(Role.ADMIN,), prefetch=in_path(UserRef))


@app.post("/admin/kyc/<proId>/approve", summary="Approve a pro's KYC (badge VERIFIED)", tags=[Tag.ADMIN],
          responses={200: returns(KycSummary, "The KYC file, APPROVED")})
def admin_approve_kyc():
    pro_id = path_value(app)  # template.yaml names the path parameter
    return kyc.approve(caller(app).user_id, pro_id, target(app), clock.now())


lambda_handler = http_entry(app)
