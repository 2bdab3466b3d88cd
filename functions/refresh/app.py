from khadamat import clock
from khadamat.api.models import RefreshTokenRequest
from khadamat.api.resolver import build_app
from khadamat.api.entry import http_entry
from khadamat.usecases import accounts

app = build_app()


@app.post("/auth/refresh")
def refresh(body: RefreshTokenRequest):
    return accounts.refresh(refresh_token=body.refresh_token, now=clock.now())


lambda_handler = http_entry(app)
