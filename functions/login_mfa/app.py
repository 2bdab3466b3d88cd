from khadamat import clock
from khadamat.api.models import Session
from khadamat.api.models_admin import MfaLoginRequest
from khadamat.api.resolver import build_app
from khadamat.api.responses import Tag, returns
from khadamat.api.entry import http_entry
from khadamat.usecases import accounts

app = build_app()


@app.post("/auth/mfa", summary="Finish an admin sign-in with a TOTP code", tags=[Tag.AUTH],
          responses={200: returns(Session, "A session")})
def login_mfa(body: MfaLoginRequest):
    return accounts.login_second_step(mfa_token=body.mfa_token, code=body.code, now=clock.now())


lambda_handler = http_entry(app)
