from khadamat.api.models import ClockRequest, ClockView
from khadamat.api.resolver import build_app
from khadamat.api.responses import Tag, returns
from khadamat.api.entry import http_entry
from khadamat.usecases import dev

app = build_app()


@app.post("/_dev/clock", summary="Move the stack's clock", tags=[Tag.LOCAL_ONLY],
          responses={200: returns(ClockView, "The stack's time now")})
def set_clock(body: ClockRequest):
    dev.require_local_stage()
    return dev.set_clock(body.now)


lambda_handler = http_entry(app)
