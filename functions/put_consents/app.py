from khadamat import clock
from khadamat.api import throttle
from khadamat.api.auth import ANY_ROLE, caller
from khadamat.api.models import Consents, ConsentsRequest
from khadamat.api.resolver import build_app
from khadamat.api.responses import Tag, returns
from khadamat.api.entry import http_entry
from khadamat.usecases import accounts

app = build_app(roles=ANY_ROLE)


@app.put("/me/consents", summary="Record a change of the caller's marketing consent", tags=[Tag.ACCOUNT],
         responses={200: returns(Consents, "The consent records, the new one included")})
def put_consents(body: ConsentsRequest):
    return accounts.set_marketing_consent(caller(app), body.marketing_opt_in,
                                          throttle.source_ip(app.current_event.raw_event),
                                          clock.now())


lambda_handler = http_entry(app)
