from khadamat import clock
from khadamat.api.auth import caller
from khadamat.api.models_pros import ServicesAnswer, ServicesRequest
from khadamat.api.resolver import build_app
from khadamat.api.responses import Tag, returns
from khadamat.domain.accounts import Role
from khadamat.api.entry import http_entry
from khadamat.usecases import pros

app = build_app(roles=(Role.PRO,))


@app.put("/pro/services", summary="Replace the categories and prices the pro offers", tags=[Tag.PRO_PROFILE],
         responses={200: returns(ServicesAnswer, "The services, and the categories listed now")})
def replace_pro_services(body: ServicesRequest):
    services = [service.model_dump() for service in body.services]
    return pros.replace_services(caller(app), services, clock.now())


lambda_handler = http_entry(app)
