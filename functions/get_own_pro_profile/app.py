from khadamat import clock
from khadamat.api.auth import caller
from khadamat.api.models_pros import OwnProfile
from khadamat.api.resolver import build_app
from khadamat.api.responses import Tag, returns
from khadamat.domain.accounts import Role
from khadamat.api.entry import http_entry
from khadamat.usecases import pros

app = build_app(roles=(Role.PRO,))


@app.get("/pro/profile", summary="Read the pro's own full profile", tags=[Tag.PRO_PROFILE],
         responses={200: returns(OwnProfile, "The full profile")})
def get_own_pro_profile():
    return pros.own_profile_view(caller(app), clock.now())


lambda_handler = http_entry(app)
