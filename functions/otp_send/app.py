from khadamat import clock
from khadamat.api.auth import optional_caller
from khadamat.api.models import OtpSendRequest, OtpSent
from khadamat.api.resolver import build_app
from khadamat.api.responses import Tag, returns
from khadamat.api.entry import http_entry
from khadamat.usecases import phone_codes

app = build_app()


@app.post("/auth/otp/send", status_code=202, summary="Send a one-time code to a phone", tags=[Tag.AUTH],
          responses={202: returns(OtpSent, "Code sent; valid expiresIn seconds")})
def send_code(body: OtpSendRequest):
    caller, _session, _read = optional_caller(app.current_event.headers, body.purpose)
    answer = phone_codes.send(phone=body.phone, purpose=body.purpose, channel=body.channel,
                              caller=caller, now=clock.now())
    return answer


lambda_handler = http_entry(app)
