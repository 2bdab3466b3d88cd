from khadamat import clock
from khadamat.api.auth import ANY_ROLE, caller
from khadamat.api.models_privacy import DataExport
from khadamat.api.resolver import build_app
from khadamat.api.responses import Tag, returns
from khadamat.api.entry import http_entry
from khadamat.usecases import privacy

app = build_app(roles=ANY_ROLE)


@app.get("/me/export", summary="Export every personal datum held on the caller", tags=[Tag.ACCOUNT],
         responses={200: returns(DataExport, "The export document")})
def export_me():
    return privacy.export(caller(app), clock.now())


lambda_handler = http_entry(app)
