from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query

from khadamat.api.auth import caller
from khadamat.api.models_admin import UserPage
from khadamat.api.prefetch import in_query, target
from khadamat.api.resolver import build_app
from khadamat.api.responses import Tag, returns
from khadamat.domain.accounts import Role
from khadamat.api.entry import http_entry
from khadamat.dal.users import ContactRef
from khadamat.usecases import admin_users

app = build_app(roles=(Role.ADMIN,), prefetch=in_query("query", ContactRef))


@app.get("/admin/users", summary="Search accounts", tags=[Tag.ADMIN],
         responses={200: returns(UserPage, "A page of accounts")})
def admin_search_users(query: Annotated[str, Query(min_length=1, max_length=254)],
                       role: Annotated[str | None, Query(max_length=16)] = None,
                       status: Annotated[str | None, Query(max_length=16)] = None,
                       limit: Annotated[int, Query(ge=1, le=100)] = 20,
                       next_token: Annotated[str | None, Query(alias="nextToken", max_length=2048)] = None):
    return admin_users.search(caller(app), query, role, status, limit, next_token, target(app))


lambda_handler = http_entry(app)
