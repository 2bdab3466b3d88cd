from khadamat import clock
from khadamat.api.auth import ANY_ROLE, caller, session_of
from khadamat.api.models import PasswordChangeRequest
from khadamat.api.resolver import build_app
from khadamat.api.responses import NO_CONTENT, Tag
from khadamat.api.entry import http_entry
from khadamat.usecases import phone_codes

app = build_app(roles=ANY_ROLE)


@app.post("/me/password", status_code=204,
          summary="Change the caller's password (other sessions are signed out)",
          tags=[Tag.ACCOUNT],
          responses={204: NO_CONTENT})
def change_password(body: PasswordChangeRequest):
    phone_codes.change_password(caller=caller(app), current_password=body.current_password,
                                new_password=body.new_password,
                                session=session_of(app.current_event.headers), now=clock.now())


lambda_handler = http_entry(app)
