from khadamat import clock
from khadamat.api.models import PasswordResetRequest
from khadamat.api.resolver import build_app
from khadamat.api.responses import NO_CONTENT, Tag
from khadamat.api.entry import http_entry
from khadamat.usecases import phone_codes

app = build_app()


@app.post("/auth/password/reset", status_code=204,
          summary="Set a new password with a reset token",
          tags=[Tag.AUTH],
          responses={204: NO_CONTENT})
def reset_password(body: PasswordResetRequest):
    phone_codes.reset_password(reset_token=body.reset_token, new_password=body.new_password,
                               now=clock.now())


lambda_handler = http_entry(app)
