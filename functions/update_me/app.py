from khadamat import clock
from khadamat.api.auth import ANY_ROLE, caller
from khadamat.api.models import Account
from khadamat.api.models_privacy import UpdateMeRequest
from khadamat.api.resolver import build_app
from khadamat.api.responses import Tag, returns
from khadamat.api.entry import http_entry
from khadamat.usecases import self_service

app = build_app(roles=ANY_ROLE)


@app.patch("/me", summary="Change the caller's names or email", tags=[Tag.ACCOUNT],
           responses={200: returns(Account, "The account as changed")})
def update_me(body: UpdateMeRequest):
    return self_service.update_me(caller(app), first_name=body.first_name,
                                  last_name=body.last_name, email=body.email, now=clock.now())


lambda_handler = http_entry(app)
