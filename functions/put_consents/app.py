from khadamat import clock
from khadamat.api.auth import ANY_ROLE, caller
from khadamat.api.models import ConsentsRequest
from khadamat.api.resolver import build_app
from khadamat.api.entry import http_entry
from khadamat.usecases import accounts

app = build_app(roles=ANY_ROLE)


@app.put("/me/consents")
def put_consents(body: ConsentsRequest):
    return accounts.set_marketing_consent(caller(app), body.marketing_opt_in,
                                          app.current_event.request_context.http.source_ip,
                                          clock.now())


lambda_handler = http_entry(app)
