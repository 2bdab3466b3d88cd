from khadamat import clock
from khadamat.api.auth import ANY_ROLE, caller
from khadamat.api.resolver import build_app
from khadamat.api.entry import http_entry
from khadamat.usecases import privacy

app = build_app(roles=ANY_ROLE)


@app.get("/me/export")
def export_me():
    return privacy.export(caller(app), clock.now())


lambda_handler = http_entry(app)
