from khadamat import clock
from khadamat.api.auth import caller
from khadamat.api.models_admin import MfaEnrollment
from khadamat.api.resolver import build_app
from khadamat.api.responses import Tag, returns
from khadamat.domain.accounts import Role
from khadamat.api.entry import http_entry
from khadamat.usecases import mfa

app = build_app(roles=(Role.ADMIN,))


@app.post("/admin/mfa/enroll", summary="Start TOTP enrolment for the calling admin", tags=[Tag.ADMIN],
          responses={200: returns(MfaEnrollment, "The TOTP secret to confirm")})
def admin_mfa_enroll():
    return mfa.enroll(caller(app), clock.now())


lambda_handler = http_entry(app)
