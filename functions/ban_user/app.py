from khadamat import clock
from khadamat.api.models import BanRequest
from khadamat.api.resolver import build_app
from khadamat.domain.accounts import Role
from khadamat.observability import http_entry
from khadamat.usecases import accounts

app = build_app(roles=(Role.ADMIN,))


@app.post("/admin/users/<user_id>/ban")
def ban_user(user_id: str, body: BanRequest):
    return accounts.ban(user_id=user_id, reason=body.reason, now=clock.now())


lambda_handler = http_entry(app)
