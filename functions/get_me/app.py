from khadamat.api.auth import ANY_ROLE, caller
from khadamat.api.resolver import build_app
from khadamat.api.entry import http_entry
from khadamat.usecases import accounts

app = build_app(roles=ANY_ROLE)


@app.get("/me")
def get_me():
    return accounts.me_view(caller(app))


lambda_handler = http_entry(app)
