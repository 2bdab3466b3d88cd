from khadamat.api.models_payments import DevProStateRequest
from khadamat.api.resolver import build_app
from khadamat.api.entry import http_entry
from khadamat.usecases import dev, payments_dev

app = build_app()


@app.post("/_dev/pros/<pro_id>/state")
def set_pro_state(pro_id: str, body: DevProStateRequest):
    dev.require_local_stage()
    return payments_dev.set_pro_state(pro_id, body.kyc_status, body.category_ids)


lambda_handler = http_entry(app)
