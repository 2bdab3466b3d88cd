from khadamat import clock
from khadamat.api.auth import caller
from khadamat.api.models_pros import ServicesRequest
from khadamat.api.resolver import build_app
from khadamat.domain.accounts import Role
from khadamat.api.entry import http_entry
from khadamat.usecases import pros

app = build_app(roles=(Role.PRO,))


@app.put("/pro/services")
def replace_pro_services(body: ServicesRequest):
    services = [service.model_dump() for service in body.services]
    return pros.replace_services(caller(app), services, clock.now())


lambda_handler = http_entry(app)
