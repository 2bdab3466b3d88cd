from khadamat.api.models_kyc import KycReview
from khadamat.api.resolver import build_app, path_value
from khadamat.api.responses import Tag, returns
from khadamat.domain.accounts import Role
from khadamat.api.entry import http_entry
from khadamat.usecases import kyc

app = build_app(roles=(Role.ADMIN,))


@app.get("/admin/kyc/<proId>", summary="Read a pro's KYC file with document links", tags=[Tag.ADMIN],
         responses={200: returns(KycReview, "The KYC file")})
def admin_get_kyc():
    pro_id = path_value(app)  # template.yaml names the path parameter
    return kyc.review_view(pro_id)


lambda_handler = http_entry(app)
