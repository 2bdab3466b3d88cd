from khadamat import clock
from khadamat.api.models_pros import PublicProfile
from khadamat.api.resolver import build_app, path_value
from khadamat.api.responses import Tag, returns
from khadamat.api.entry import http_entry
from khadamat.usecases import pros

app = build_app(unknown_id_code="PRO_NOT_FOUND")


@app.get("/pros/<proId>", summary="Read a pro's public profile", tags=[Tag.DISCOVERY],
         responses={200: returns(PublicProfile, "The public profile")})
def get_pro():
    pro_id = path_value(app)  # template.yaml names the path parameter
    return pros.public_profile(pro_id, clock.now())


lambda_handler = http_entry(app)
