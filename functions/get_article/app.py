import json

from aws_lambda_powertools.event_handler import Response

from khadamat.api.models_admin import PublicArticle
from khadamat.api.resolver import build_app, path_value
from khadamat.api.responses import Tag, returns
from khadamat.api.entry import http_entry
from khadamat.usecases import articles

app = build_app()
PUBLIC_CACHE = "public, max-age=300"


@app.get("/articles/<slug>", summary="Read one published article with its rendered body",
         tags=[Tag.CONTENT],
         responses={200: returns(PublicArticle, "The article, with its ETag"),
                    304: {"description": "Not modified: the If-None-Match ETag is current"}})
def get_article():
    body, etag = articles.published_article(path_value(app))  # template.yaml names the parameter
    headers = {"ETag": etag, "Cache-Control": PUBLIC_CACHE}
    if articles.etag_matches(app.current_event.headers.get("if-none-match"), etag):
        return Response(304, None, "", headers=headers)
    return Response(200, "application/json", json.dumps(body), headers=headers)


lambda_handler = http_entry(app)
