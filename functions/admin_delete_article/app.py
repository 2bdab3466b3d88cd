from khadamat import clock
from khadamat.api.auth import caller, prefetched
from khadamat.api.models_admin import article_in_path
from khadamat.api.resolver import build_app, path_value
from khadamat.api.responses import NO_CONTENT, Tag
from khadamat.domain.accounts import Role
from khadamat.api.entry import http_entry
from khadamat.usecases import articles

app = build_app(roles=(Role.ADMIN,), prefetch=article_in_path)


@app.delete("/admin/articles/<id>", status_code=204, summary="Delete an article", tags=[Tag.ADMIN],
            responses={204: NO_CONTENT})
def admin_delete_article():
    article_id = path_value(app)  # template.yaml names the path parameter
    articles.delete(caller(app).user_id, article_id, prefetched(app, "target"), clock.now())


lambda_handler = http_entry(app)
