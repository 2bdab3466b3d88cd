from khadamat import clock
from khadamat.api.models_kyc import KycRejectRequest, KycRejected
from khadamat.api.auth import caller
from khadamat.api.prefetch import in_path, target
from khadamat.api.resolver import build_app, path_value
from khadamat.api.responses import Tag, returns
from khadamat.domain.accounts import Role
from khadamat.api.entry import http_entry
from khadamat.dal.users import UserRef
from khadamat.usecases import kyc

app = build_app(roles=(Role.ADMIN,), prefetch=in_path(UserRef))


@app.post("/admin/kyc/<proId>/reject", summary="Reject a pro's KYC with a reason", tags=[Tag.ADMIN],
          responses={200: returns(KycRejected, "The KYC file, REJECTED")})
def admin_reject_kyc(body: KycRejectRequest):
    pro_id = path_value(app)  # template.yaml names the path parameter
    return kyc.reject(caller(app).user_id, pro_id, target(app), body.reason,
                      clock.now())


lambda_handler = http_entry(app)
