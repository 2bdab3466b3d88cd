from khadamat.api.models_admin import UserDetail
from khadamat.api.prefetch import in_path, target
from khadamat.api.resolver import build_app, path_value
from khadamat.api.responses import Tag, returns
from khadamat.domain.accounts import Role
from khadamat.api.entry import http_entry
from khadamat.dal.users import UserRef
from khadamat.usecases import admin_users

app = build_app(roles=(Role.ADMIN,), prefetch=in_path(UserRef))


@app.get("/admin/users/<id>", summary="Read an account with its counters and history", tags=[Tag.ADMIN],
         responses={200: returns(UserDetail, "The account")})
def admin_get_user():
    user_id = path_value(app)  # template.yaml names the path parameter
    return admin_users.detail(user_id, target(app))


lambda_handler = http_entry(app)
