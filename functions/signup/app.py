from khadamat import clock
from khadamat.api.models import SignupRequest
from khadamat.api.resolver import build_app, json_response
from khadamat.api.entry import http_entry
from khadamat.usecases import accounts

app = build_app()


@app.post("/auth/signup")
def signup(body: SignupRequest):
    user = accounts.signup(phone=body.phone, email=str(body.email), password=body.password,
                           first_name=body.first_name, last_name=body.last_name, role=body.role,
                           city_id=body.city_id, whatsapp=body.whatsapp,
                           accept_terms=body.accept_terms, marketing_opt_in=body.marketing_opt_in,
                           source_ip=app.current_event.request_context.http.source_ip,
                           now=clock.now())
    return json_response({"userId": user.user_id, "role": user.role}, 201)


lambda_handler = http_entry(app)
