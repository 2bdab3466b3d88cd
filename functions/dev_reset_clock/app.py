from khadamat.api.resolver import build_app
from khadamat.api.entry import http_entry
from khadamat.usecases import dev

app = build_app()


@app.delete("/_dev/clock")
def reset_clock():
    dev.require_local_stage()
    return dev.reset_clock()


lambda_handler = http_entry(app)
