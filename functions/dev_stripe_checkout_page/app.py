from khadamat.api.models_payments import LocalCheckoutPage
from khadamat.api.resolver import build_app, path_value
from khadamat.api.responses import Tag, returns
from khadamat.api.entry import http_entry
from khadamat.usecases import dev, payments_dev

app = build_app()


@app.get("/_dev/stripe/checkout/<sessionId>", summary="The stand-in's checkout page", tags=[Tag.LOCAL_ONLY],
         responses={200: returns(LocalCheckoutPage, "The session")})
def checkout_page():
    session_id = path_value(app)  # template.yaml names the path parameter
    dev.require_local_stage()
    return payments_dev.local_checkout_view(session_id)


lambda_handler = http_entry(app)
