from khadamat.api.models import HealthView
from khadamat.api.resolver import build_app
from khadamat.api.responses import Tag, returns
from khadamat.api.entry import http_entry

app = build_app()


@app.get("/health", summary="Tell whether the API is up", tags=[Tag.HEALTH],
         responses={200: returns(HealthView, "{status: ok}")})
def health():
    return {"status": "ok"}


lambda_handler = http_entry(app)
