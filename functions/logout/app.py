from khadamat.api.models import RefreshTokenRequest
from khadamat.api.resolver import build_app
from khadamat.api.responses import NO_CONTENT, Tag
from khadamat.api.entry import http_entry
from khadamat.usecases import accounts

app = build_app()


@app.post("/auth/logout", status_code=204, summary="Revoke a refresh token", tags=[Tag.AUTH],
          responses={204: NO_CONTENT})
def logout(body: RefreshTokenRequest):
    accounts.logout(refresh_token=body.refresh_token)


lambda_handler = http_entry(app)
