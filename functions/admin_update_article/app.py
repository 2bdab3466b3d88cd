from khadamat import clock
from khadamat.api.auth import caller
from khadamat.api.models_admin import ArticleRequest, EditedArticle
from khadamat.api.prefetch import in_path, target
from khadamat.api.resolver import build_app, path_value
from khadamat.api.responses import Tag, returns
from khadamat.domain.accounts import Role
from khadamat.api.entry import http_entry
from khadamat.dal.articles import ArticleRef
from khadamat.usecases import articles

app = build_app(roles=(Role.ADMIN,), prefetch=in_path(ArticleRef))


@app.put("/admin/articles/<id>", summary="Change an article", tags=[Tag.ADMIN],
         responses={200: returns(EditedArticle, "The article as changed")})
def admin_update_article(body: ArticleRequest):
    article_id = path_value(app)  # template.yaml names the path parameter
    return articles.update(caller(app).user_id, article_id, target(app),
                           body.model_dump(), clock.now())


lambda_handler = http_entry(app)
