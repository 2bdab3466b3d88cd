from khadamat.api.auth import ANY_ROLE, caller
from khadamat.api.models import Account
from khadamat.api.resolver import build_app
from khadamat.api.responses import Tag, returns
from khadamat.api.entry import http_entry
from khadamat.usecases import accounts

app = build_app(roles=ANY_ROLE)


@app.get("/me", summary="Read the caller's own account", tags=[Tag.ACCOUNT],
         responses={200: returns(Account, "The account")})
def get_me():
    return accounts.me_view(caller(app))


lambda_handler = http_entry(app)
