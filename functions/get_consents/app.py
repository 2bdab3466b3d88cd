from khadamat.api.auth import ANY_ROLE, caller
from khadamat.api.models import Consents
from khadamat.api.resolver import build_app
from khadamat.api.responses import Tag, returns
from khadamat.api.entry import http_entry
from khadamat.usecases import accounts

app = build_app(roles=ANY_ROLE)


@app.get("/me/consents", summary="List the caller's consent records", tags=[Tag.ACCOUNT],
         responses={200: returns(Consents, "The consent records, oldest first")})
def get_consents():
    return accounts.consents(caller(app))


lambda_handler = http_entry(app)
