from khadamat import clock
from khadamat.api.auth import caller, prefetched
from khadamat.api.models_admin import user_in_path
from khadamat.api.resolver import build_app, path_value
from khadamat.api.responses import Tag, returns
from khadamat.api.schemas import IdAndStatus
from khadamat.domain.accounts import Role
from khadamat.api.entry import http_entry
from khadamat.usecases import accounts

app = build_app(roles=(Role.ADMIN,), prefetch=user_in_path)


@app.post("/admin/users/<id>/unban", summary="Lift an account's ban", tags=[Tag.ADMIN],
          responses={200: returns(IdAndStatus, "The account, ACTIVE")})
def unban_user():
    user_id = path_value(app)  # template.yaml names the path parameter
    return accounts.unban(actor_id=caller(app).user_id, user_id=user_id,
                          target=prefetched(app, "target"), now=clock.now())


lambda_handler = http_entry(app)
