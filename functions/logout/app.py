from khadamat.api.models import RefreshTokenRequest
from khadamat.api.resolver import build_app, no_content
from khadamat.api.entry import http_entry
from khadamat.usecases import accounts

app = build_app()


@app.post("/auth/logout")
def logout(body: RefreshTokenRequest):
    accounts.logout(refresh_token=body.refresh_token)
    return no_content()


lambda_handler = http_entry(app)
