from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Query

from khadamat.api.models_admin import PublicArticlePage
from khadamat.api.resolver import build_app
from khadamat.api.responses import Tag, returns
from khadamat.api.entry import http_entry
from khadamat.usecases import articles

app = build_app()
PUBLIC_CACHE = "public, max-age=300"


@app.get("/articles", summary="List published articles, newest first, without their body", tags=[Tag.CONTENT],
         responses={200: returns(PublicArticlePage, "A page of published articles")})
def list_articles(city_id: Annotated[str | None, Query(alias="cityId", max_length=32)] = None,
                  category_id: Annotated[str | None, Query(alias="categoryId", max_length=32)] = None,
                  limit: Annotated[int, Query(ge=1, le=100)] = 20,
                  next_token: Annotated[str | None, Query(alias="nextToken", max_length=2048)] = None):
    import json

    page = articles.list_published(city_id, category_id, limit, next_token)
    return Response(200, "application/json", json.dumps(page), headers={"Cache-Control": PUBLIC_CACHE})


lambda_handler = http_entry(app)
