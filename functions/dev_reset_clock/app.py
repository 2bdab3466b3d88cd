from khadamat.api.models import ClockView
from khadamat.api.resolver import build_app
from khadamat.api.responses import Tag, returns
from khadamat.api.entry import http_entry
from khadamat.usecases import dev

app = build_app()


@app.delete("/_dev/clock", summary="Put the stack's clock back to real time", tags=[Tag.LOCAL_ONLY],
            responses={200: returns(ClockView, "The stack's time now")})
def reset_clock():
    dev.require_local_stage()
    return dev.reset_clock()


lambda_handler = http_entry(app)
