from khadamat.api.models import ClockRequest
from khadamat.api.resolver import build_app
from khadamat.api.entry import http_entry
from khadamat.usecases import dev

app = build_app()


@app.post("/_dev/clock")
def set_clock(body: ClockRequest):
    dev.require_local_stage()
    return dev.set_clock(body.now)


lambda_handler = http_entry(app)
