from khadamat import clock
from khadamat.api.auth import caller
from khadamat.api.models_pros import Availability
from khadamat.api.resolver import build_app
from khadamat.api.responses import Tag, returns
from khadamat.domain.accounts import Role
from khadamat.api.entry import http_entry
from khadamat.usecases import pros

app = build_app(roles=(Role.PRO,))


@app.get("/pro/availability", summary="Read the pro's weekly hours and exceptions", tags=[Tag.PRO_PROFILE],
         responses={200: returns(Availability, "Weekly hours and the exceptions not over")})
def get_pro_availability():
    return pros.availability_view(caller(app), clock.now())


lambda_handler = http_entry(app)
