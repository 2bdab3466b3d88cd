from khadamat import clock
from khadamat.api.auth import optional_caller
from khadamat.api.models import OtpSendRequest
from khadamat.api.resolver import build_app, json_response
from khadamat.api.entry import http_entry
from khadamat.usecases import phone_codes

app = build_app()


@app.post("/auth/otp/send")
def send_code(body: OtpSendRequest):
    caller, _session = optional_caller(app.current_event.headers, body.purpose)
    answer = phone_codes.send(phone=body.phone, purpose=body.purpose, channel=body.channel,
                              caller=caller, now=clock.now())
    return json_response(answer, 202)


lambda_handler = http_entry(app)
