from khadamat import clock
from khadamat.api.models import BanRequest
from khadamat.api.auth import caller
from khadamat.api.prefetch import in_path, target
from khadamat.api.resolver import build_app, path_value
from khadamat.api.responses import Tag, returns
from khadamat.api.schemas import IdAndStatus
from khadamat.domain.accounts import Role
from khadamat.api.entry import http_entry
from khadamat.dal.users import UserRef
from khadamat.usecases import accounts

app = build_app(roles=(Role.ADMIN,), prefetch=in_path(UserRef))


@app.post("/admin/users/<id>/ban", summary="Ban an account", tags=[Tag.ADMIN],
          responses={200: returns(IdAndStatus, "The account, BANNED")})
def ban_user(body: BanRequest):
    user_id = path_value(app)  # template.yaml names the path parameter
    return accounts.ban(actor_id=caller(app).user_id, user_id=user_id, target=target(app),
                        reason=body.reason, now=clock.now())


lambda_handler = http_entry(app)
