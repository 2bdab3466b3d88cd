from khadamat import clock
from khadamat.api.resolver import build_app
from khadamat.api.entry import http_entry
from khadamat.usecases import dev, payments_dev

app = build_app()


@app.post("/_dev/stripe/checkout/<session_id>/complete")
def complete_checkout(session_id: str):
    dev.require_local_stage()
    return payments_dev.complete_local_checkout(session_id, clock.now())


lambda_handler = http_entry(app)
