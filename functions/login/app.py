from khadamat import clock
from khadamat.api.models import LoginAnswer, LoginRequest
from khadamat.api.resolver import build_app
from khadamat.api.responses import Tag, returns
from khadamat.api.entry import http_entry
from khadamat.usecases import accounts

app = build_app()


@app.post("/auth/login", summary="Sign in with a phone or email and a password", tags=[Tag.AUTH],
          responses={200: returns(LoginAnswer, "A session, or the admin's TOTP challenge")})
def login(body: LoginRequest):
    return accounts.login(login=body.login, password=body.password, now=clock.now())


lambda_handler = http_entry(app)
