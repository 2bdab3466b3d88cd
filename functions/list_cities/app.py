from khadamat.api.models import NamedItems
from khadamat.api.resolver import build_app
from khadamat.api.responses import Tag, returns
from khadamat.domain.reference import CITIES
from khadamat.api.entry import http_entry

app = build_app()


@app.get("/cities", summary="List the cities served", tags=[Tag.REFERENCE],
         responses={200: returns(NamedItems, "Every city served")})
def list_cities():
    return {"items": list(CITIES)}


lambda_handler = http_entry(app)
