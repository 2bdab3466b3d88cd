from khadamat import clock
from khadamat.api.auth import caller
from khadamat.api.resolver import build_app
from khadamat.domain.accounts import Role
from khadamat.api.entry import http_entry
from khadamat.usecases import pros

app = build_app(roles=(Role.PRO,))


@app.get("/pro/dashboard")
def get_pro_dashboard():
    return pros.dashboard(caller(app), clock.now())


lambda_handler = http_entry(app)
