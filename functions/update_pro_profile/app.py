from khadamat import clock
from khadamat.api.auth import caller
from khadamat.api.models_pros import OwnProfile, ProProfileRequest
from khadamat.api.resolver import build_app
from khadamat.api.responses import Tag, returns
from khadamat.domain.accounts import Role
from khadamat.api.entry import http_entry
from khadamat.usecases import pros

app = build_app(roles=(Role.PRO,))


@app.put("/pro/profile", summary="Change the pro's bio or WhatsApp number", tags=[Tag.PRO_PROFILE],
         responses={200: returns(OwnProfile, "The full profile as changed")})
def update_pro_profile(body: ProProfileRequest):
    return pros.update_profile(caller(app), body.changes(), clock.now())


lambda_handler = http_entry(app)
