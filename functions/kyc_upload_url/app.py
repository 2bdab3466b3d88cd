from khadamat import clock
from khadamat.api.auth import caller
from khadamat.api.models_kyc import DocumentUpload, KycUploadRequest
from khadamat.api.resolver import build_app
from khadamat.api.responses import Tag, returns
from khadamat.domain.accounts import Role
from khadamat.api.entry import http_entry
from khadamat.usecases import kyc

app = build_app(roles=(Role.PRO,))


@app.post("/pro/kyc/documents", status_code=201,
          summary="Get a presigned upload for a KYC document",
          tags=[Tag.PRO_KYC],
          responses={201: returns(DocumentUpload, "A presigned upload")})
def kyc_upload_url(body: KycUploadRequest):
    return kyc.upload_url(caller(app), body.doc_type, body.content_type, clock.now())


lambda_handler = http_entry(app)
