from khadamat import clock
from khadamat.api.models import LoginRequest
from khadamat.api.resolver import build_app
from khadamat.api.entry import http_entry
from khadamat.usecases import accounts

app = build_app()


@app.post("/auth/login")
def login(body: LoginRequest):
    return accounts.login(login=body.login, password=body.password, now=clock.now())


lambda_handler = http_entry(app)
