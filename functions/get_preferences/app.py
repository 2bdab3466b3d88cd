from khadamat.api.auth import ANY_ROLE, caller
from khadamat.api.models import Preferences
from khadamat.api.resolver import build_app
from khadamat.api.responses import Tag, returns
from khadamat.api.entry import http_entry
from khadamat.usecases import self_service

app = build_app(roles=ANY_ROLE)


@app.get("/me/preferences", summary="Read the caller's notification channels", tags=[Tag.ACCOUNT],
         responses={200: returns(Preferences, "The channels, true when on")})
def get_preferences():
    return self_service.get_preferences(caller(app))


lambda_handler = http_entry(app)
