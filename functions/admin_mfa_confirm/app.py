from khadamat import clock
from khadamat.api.auth import caller
from khadamat.api.models_admin import MfaConfirmRequest
from khadamat.api.resolver import build_app, no_content
from khadamat.domain.accounts import Role
from khadamat.api.entry import http_entry
from khadamat.usecases import mfa

app = build_app(roles=(Role.ADMIN,))


@app.post("/admin/mfa/confirm")
def admin_mfa_confirm(body: MfaConfirmRequest):
    mfa.confirm(caller(app), body.code, clock.now())
    return no_content()


lambda_handler = http_entry(app)
