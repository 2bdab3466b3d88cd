from khadamat import clock
from khadamat.api.auth import optional_caller
from khadamat.api.models import OtpVerifyRequest
from khadamat.api.resolver import build_app
from khadamat.api.entry import http_entry
from khadamat.usecases import phone_codes

app = build_app()


@app.post("/auth/otp/verify")
def verify_code(body: OtpVerifyRequest):
    caller, session = optional_caller(app.current_event.headers, body.purpose)
    return phone_codes.verify_code(phone=body.phone, code=body.code, purpose=body.purpose,
                                   caller=caller, session=session, now=clock.now())


lambda_handler = http_entry(app)
