from khadamat import clock
from khadamat.api.models_payments import LocalCheckoutCompleted
from khadamat.api.resolver import build_app, path_value
from khadamat.api.responses import Tag, returns
from khadamat.api.entry import http_entry
from khadamat.usecases import dev, payments_dev

app = build_app()


@app.post("/_dev/stripe/checkout/<sessionId>/complete",
          summary="Complete a stand-in checkout (sends the signed webhook)",
          tags=[Tag.LOCAL_ONLY],
          responses={200: returns(LocalCheckoutCompleted, "The webhook events delivered")})
def complete_checkout():
    session_id = path_value(app)  # template.yaml names the path parameter
    dev.require_local_stage()
    return payments_dev.complete_local_checkout(session_id, clock.now())


lambda_handler = http_entry(app)
