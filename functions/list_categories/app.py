from khadamat.api.models import NamedItems
from khadamat.api.resolver import build_app
from khadamat.api.responses import Tag, returns
from khadamat.domain.reference import CATEGORIES
from khadamat.api.entry import http_entry

app = build_app()


@app.get("/categories", summary="List the service categories", tags=[Tag.REFERENCE],
         responses={200: returns(NamedItems, "Every category")})
def list_categories():
    return {"items": list(CATEGORIES)}


lambda_handler = http_entry(app)
