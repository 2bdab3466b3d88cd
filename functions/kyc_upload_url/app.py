from khadamat import clock
from khadamat.api.auth import caller
from khadamat.api.models_kyc import KycUploadRequest
from khadamat.api.resolver import build_app, json_response
from khadamat.domain.accounts import Role
from khadamat.api.entry import http_entry
from khadamat.usecases import kyc

app = build_app(roles=(Role.PRO,))


@app.post("/pro/kyc/documents")
def kyc_upload_url(body: KycUploadRequest):
    return json_response(kyc.upload_url(caller(app), body.doc_type, body.content_type, clock.now()), 201)


lambda_handler = http_entry(app)
