from khadamat.api.models_notifications import Outbox
from khadamat.api.resolver import build_app
from khadamat.api.responses import Tag, returns
from khadamat.api.entry import http_entry
from khadamat.usecases import dev

app = build_app()


@app.get("/_dev/outbox", summary="List the messages the stand-ins sent", tags=[Tag.LOCAL_ONLY],
         responses={200: returns(Outbox, "The messages sent")})
def outbox():
    dev.require_local_stage()
    return dev.sent_messages()


lambda_handler = http_entry(app)
