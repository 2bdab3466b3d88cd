from khadamat.api.models_admin import EditedArticle
from khadamat.api.prefetch import in_path, target
from khadamat.api.resolver import build_app
from khadamat.api.responses import Tag, returns
from khadamat.domain.accounts import Role
from khadamat.api.entry import http_entry
from khadamat.dal.articles import ArticleRef
from khadamat.usecases import articles

app = build_app(roles=(Role.ADMIN,), prefetch=in_path(ArticleRef))


@app.get("/admin/articles/<id>", summary="Read an article, draft or published", tags=[Tag.ADMIN],
         responses={200: returns(EditedArticle, "The article")})
def admin_get_article():
    return articles.get_for_editor(target(app))


lambda_handler = http_entry(app)
