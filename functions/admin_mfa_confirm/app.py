from khadamat import clock
from khadamat.api.auth import caller
from khadamat.api.models_admin import MfaConfirmRequest
from khadamat.api.resolver import build_app
from khadamat.api.responses import NO_CONTENT, Tag
from khadamat.domain.accounts import Role
from khadamat.api.entry import http_entry
from khadamat.usecases import mfa

app = build_app(roles=(Role.ADMIN,))


@app.post("/admin/mfa/confirm", status_code=204,
          summary="Confirm TOTP enrolment with a first code",
          tags=[Tag.ADMIN],
          responses={204: NO_CONTENT})
def admin_mfa_confirm(body: MfaConfirmRequest):
    mfa.confirm(caller(app), body.code, clock.now())


lambda_handler = http_entry(app)
