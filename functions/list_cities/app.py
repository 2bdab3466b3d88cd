from khadamat.api.resolver import build_app
from khadamat.domain.reference import CITIES
from khadamat.api.entry import http_entry

app = build_app()


@app.get("/cities")
def list_cities():
    return {"items": list(CITIES)}


lambda_handler = http_entry(app)
