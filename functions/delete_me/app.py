from khadamat import clock
from khadamat.api.auth import ANY_ROLE, caller
from khadamat.api.resolver import build_app, no_content
from khadamat.api.entry import http_entry
from khadamat.usecases import accounts

app = build_app(roles=ANY_ROLE)


@app.delete("/me")
def delete_me():
    accounts.delete_me(caller(app), clock.now())
    return no_content()


lambda_handler = http_entry(app)
