from khadamat import clock
from khadamat.api.auth import optional_caller
from khadamat.api.models import OtpVerified, OtpVerifyRequest
from khadamat.api.resolver import build_app
from khadamat.api.responses import Tag, returns
from khadamat.api.entry import http_entry
from khadamat.usecases import phone_codes

app = build_app()


@app.post("/auth/otp/verify",
          summary="Check a one-time code (verifies the phone, or starts a password reset)",
          tags=[Tag.AUTH],
          responses={200: returns(OtpVerified, "Phone verified, account, session or reset token")})
def verify_code(body: OtpVerifyRequest):
    # the per-IP /auth/* hit rides in the use case's transaction (khadamat.api.throttle)
    per_ip = app.context["source_ip_hit"]
    caller, session, read = optional_caller(app.current_event.headers, body.purpose,
                                            {"ip_window": per_ip.window_key()})
    return phone_codes.verify_code(phone=body.phone, code=body.code, purpose=body.purpose,
                                   caller=caller, session=session, now=clock.now(),
                                   per_ip=per_ip, ip_window=read.get("ip_window"))


lambda_handler = http_entry(app)
