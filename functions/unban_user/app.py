from khadamat import clock
from khadamat.api.auth import caller, prefetched
from khadamat.api.models_admin import user_in_path
from khadamat.api.resolver import build_app
from khadamat.domain.accounts import Role
from khadamat.api.entry import http_entry
from khadamat.usecases import accounts

app = build_app(roles=(Role.ADMIN,), prefetch=user_in_path)


@app.post("/admin/users/<user_id>/unban")
def unban_user(user_id: str):
    return accounts.unban(actor_id=caller(app).user_id, user_id=user_id,
                          target=prefetched(app, "target"), now=clock.now())


lambda_handler = http_entry(app)
