from aws_lambda_powertools.event_handler import Response

from khadamat.api.resolver import build_app
from khadamat.api.responses import Tag, text
from khadamat.api.entry import http_entry
from khadamat.usecases import sitemap

app = build_app()


@app.get("/sitemap.xml",
         summary="The public pages the website builds from this API, as a sitemap",
         tags=[Tag.CONTENT],
         responses={200: text("application/xml", "The sitemap (sitemaps.org)")})
def get_sitemap():
    return Response(200, "application/xml; charset=utf-8", sitemap.render().decode("utf-8"),
                    headers={"Cache-Control": "public, max-age=300"})


lambda_handler = http_entry(app)
