from khadamat import clock
from khadamat.api.auth import ANY_ROLE, caller
from khadamat.api.models import Preferences
from khadamat.api.models_privacy import PreferencesRequest
from khadamat.api.resolver import build_app
from khadamat.api.responses import Tag, returns
from khadamat.api.entry import http_entry
from khadamat.usecases import self_service

app = build_app(roles=ANY_ROLE)


@app.put("/me/preferences", summary="Choose the caller's notification channels", tags=[Tag.ACCOUNT],
         responses={200: returns(Preferences, "The channels as saved")})
def put_preferences(body: PreferencesRequest):
    return self_service.put_preferences(caller(app), body.model_dump(), clock.now())


lambda_handler = http_entry(app)
