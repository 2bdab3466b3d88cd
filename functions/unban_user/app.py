from khadamat import clock
from khadamat.api.resolver import build_app
from khadamat.domain.accounts import Role
from khadamat.observability import http_entry
from khadamat.usecases import accounts

app = build_app(roles=(Role.ADMIN,))


@app.post("/admin/users/<user_id>/unban")
def unban_user(user_id: str):
    return accounts.unban(user_id=user_id, now=clock.now())


lambda_handler = http_entry(app)
