from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query

from khadamat.api.auth import caller
from khadamat.api.models_admin import ArticlePage
from khadamat.api.resolver import build_app
from khadamat.api.responses import Tag, returns
from khadamat.domain.accounts import Role
from khadamat.api.entry import http_entry
from khadamat.usecases import articles

app = build_app(roles=(Role.ADMIN,))


@app.get("/admin/articles", summary="List articles, drafts included", tags=[Tag.ADMIN],
         responses={200: returns(ArticlePage, "A page of articles")})
def admin_list_articles(status: Annotated[str | None, Query(max_length=16)] = None,
                        limit: Annotated[int, Query(ge=1, le=100)] = 50,
                        next_token: Annotated[str | None, Query(alias="nextToken", max_length=2048)] = None):
    return articles.list_for_editor(caller(app), status, limit, next_token)


lambda_handler = http_entry(app)
