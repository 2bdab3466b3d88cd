from khadamat.api.resolver import build_app
from khadamat.api.entry import http_entry
from khadamat.usecases import dev, payments_dev

app = build_app()


@app.get("/_dev/stripe/checkout/<session_id>")
def checkout_page(session_id: str):
    dev.require_local_stage()
    return payments_dev.local_checkout_view(session_id)


lambda_handler = http_entry(app)
