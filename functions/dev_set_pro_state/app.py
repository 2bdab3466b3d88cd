from khadamat.api.models_payments import DevProState, DevProStateRequest
from khadamat.api.resolver import build_app, path_value
from khadamat.api.responses import Tag, returns
from khadamat.api.entry import http_entry
from khadamat.usecases import dev, payments_dev

app = build_app()


@app.post("/_dev/pros/<proId>/state",
          summary="Set a pro's KYC, premium or boost state directly",
          tags=[Tag.LOCAL_ONLY],
          responses={200: returns(DevProState, "The state set")})
def set_pro_state(body: DevProStateRequest):
    pro_id = path_value(app)  # template.yaml names the path parameter
    dev.require_local_stage()
    return payments_dev.set_pro_state(pro_id, body.kyc_status, body.category_ids)


lambda_handler = http_entry(app)
