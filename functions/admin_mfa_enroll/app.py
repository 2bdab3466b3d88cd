from khadamat import clock
from khadamat.api.auth import caller
from khadamat.api.resolver import build_app
from khadamat.domain.accounts import Role
from khadamat.api.entry import http_entry
from khadamat.usecases import mfa

app = build_app(roles=(Role.ADMIN,))


@app.post("/admin/mfa/enroll")
def admin_mfa_enroll():
    return mfa.enroll(caller(app), clock.now())


lambda_handler = http_entry(app)
