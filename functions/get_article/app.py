import json

from aws_lambda_powertools.event_handler import Response

from khadamat.api.resolver import build_app
from khadamat.api.entry import http_entry
from khadamat.usecases import articles

app = build_app()
PUBLIC_CACHE = "public, max-age=300"


@app.get("/articles/<slug>")
def get_article(slug: str):
    body, etag = articles.published_article(slug)
    headers = {"ETag": etag, "Cache-Control": PUBLIC_CACHE}
    if articles.etag_matches(app.current_event.headers.get("if-none-match"), etag):
        return Response(304, None, "", headers=headers)
    return Response(200, "application/json", json.dumps(body), headers=headers)


lambda_handler = http_entry(app)
