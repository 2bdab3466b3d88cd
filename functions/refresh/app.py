from khadamat import clock
from khadamat.api.models import RefreshTokenRequest, Tokens
from khadamat.api.resolver import build_app
from khadamat.api.responses import Tag, returns
from khadamat.api.entry import http_entry
from khadamat.usecases import accounts

app = build_app()


@app.post("/auth/refresh", summary="Trade a refresh token for a new access token", tags=[Tag.AUTH],
          responses={200: returns(Tokens, "New tokens (the refresh token given no longer works)")})
def refresh(body: RefreshTokenRequest):
    return accounts.refresh(refresh_token=body.refresh_token, now=clock.now())


lambda_handler = http_entry(app)
