from khadamat import clock
from khadamat.api.auth import ANY_ROLE, caller, session_of
from khadamat.api.models import PasswordChangeRequest
from khadamat.api.resolver import build_app, no_content
from khadamat.api.entry import http_entry
from khadamat.usecases import phone_codes

app = build_app(roles=ANY_ROLE)


@app.post("/me/password")
def change_password(body: PasswordChangeRequest):
    phone_codes.change_password(caller=caller(app), current_password=body.current_password,
                                new_password=body.new_password,
                                session=session_of(app.current_event.headers), now=clock.now())
    return no_content()


lambda_handler = http_entry(app)
