from khadamat import clock
from khadamat.api import throttle
from khadamat.api.models import SignupAnswer, SignupRequest
from khadamat.api.resolver import build_app
from khadamat.api.responses import Tag, returns
from khadamat.api.entry import http_entry
from khadamat.usecases import accounts

app = build_app()


@app.post("/auth/signup", status_code=201, summary="Create a CLIENT or PRO account", tags=[Tag.AUTH],
          responses={201: returns(SignupAnswer, "The new account")})
def signup(body: SignupRequest):
    user = accounts.signup(phone=body.phone, email=str(body.email), password=body.password,
                           first_name=body.first_name, last_name=body.last_name, role=body.role,
                           city_id=body.city_id, whatsapp=body.whatsapp,
                           accept_terms=body.accept_terms, marketing_opt_in=body.marketing_opt_in,
                           source_ip=throttle.source_ip(app.current_event.raw_event),
                           now=clock.now())
    return {"userId": user.user_id, "role": user.role}


lambda_handler = http_entry(app)
