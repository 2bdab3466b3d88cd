from khadamat import clock
from khadamat.api.auth import caller
from khadamat.api.prefetch import in_path, target
from khadamat.api.resolver import build_app, path_value
from khadamat.api.responses import NO_CONTENT, Tag
from khadamat.domain.accounts import Role
from khadamat.api.entry import http_entry
from khadamat.dal.articles import ArticleRef
from khadamat.usecases import articles

app = build_app(roles=(Role.ADMIN,), prefetch=in_path(ArticleRef))


@app.delete("/admin/articles/<id>", status_code=204, summary="Delete an article", tags=[Tag.ADMIN],
            responses={204: NO_CONTENT})
def admin_delete_article():
    article_id = path_value(app)  # template.yaml names the path parameter
    articles.delete(caller(app).user_id, article_id, target(app), clock.now())


lambda_handler = http_entry(app)
