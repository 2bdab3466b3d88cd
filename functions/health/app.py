from khadamat.api.resolver import build_app
from khadamat.api.entry import http_entry

app = build_app()


@app.get("/health")
def health():
    return {"status": "ok"}


lambda_handler = http_entry(app)
