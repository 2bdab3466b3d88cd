from khadamat import clock
from khadamat.api.auth import caller
from khadamat.api.models_pros import Dashboard
from khadamat.api.resolver import build_app
from khadamat.api.responses import Tag, returns
from khadamat.domain.accounts import Role
from khadamat.api.entry import http_entry
from khadamat.usecases import pros

app = build_app(roles=(Role.PRO,))


@app.get("/pro/dashboard",
         summary="The pro's figures: requests, bookings, earnings, rating",
         tags=[Tag.PRO_WORKSPACE],
         responses={200: returns(Dashboard, "The figures (daily: Premium only)")})
def get_pro_dashboard():
    return pros.dashboard(caller(app), clock.now())


lambda_handler = http_entry(app)
