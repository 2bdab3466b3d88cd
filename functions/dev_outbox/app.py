from khadamat.api.resolver import build_app
from khadamat.api.entry import http_entry
from khadamat.usecases import dev

app = build_app()


@app.get("/_dev/outbox")
def outbox():
    dev.require_local_stage()
    return dev.sent_messages()


lambda_handler = http_entry(app)
