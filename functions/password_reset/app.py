from khadamat import clock
from khadamat.api.models import PasswordResetRequest
from khadamat.api.resolver import build_app, no_content
from khadamat.api.entry import http_entry
from khadamat.usecases import phone_codes

app = build_app()


@app.post("/auth/password/reset")
def reset_password(body: PasswordResetRequest):
    phone_codes.reset_password(reset_token=body.reset_token, new_password=body.new_password,
                               now=clock.now())
    return no_content()


lambda_handler = http_entry(app)
