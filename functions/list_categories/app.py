from khadamat.api.resolver import build_app
from khadamat.domain.reference import CATEGORIES
from khadamat.api.entry import http_entry

app = build_app()


@app.get("/categories")
def list_categories():
    return {"items": list(CATEGORIES)}


lambda_handler = http_entry(app)
