from khadamat import clock
from khadamat.api.auth import ANY_ROLE, caller
from khadamat.api.resolver import build_app
from khadamat.api.responses import NO_CONTENT, Tag
from khadamat.api.entry import http_entry
from khadamat.usecases import accounts

app = build_app(roles=ANY_ROLE)


@app.delete("/me", status_code=204,
            summary="Delete the caller's account and personal data",
            tags=[Tag.ACCOUNT],
            responses={204: NO_CONTENT})
def delete_me():
    accounts.delete_me(caller(app), clock.now())


lambda_handler = http_entry(app)
