from khadamat import clock
from khadamat.api.auth import caller
from khadamat.api.models_admin import ArticleRequest, EditedArticle
from khadamat.api.resolver import build_app
from khadamat.api.responses import Tag, returns
from khadamat.domain.accounts import Role
from khadamat.api.entry import http_entry
from khadamat.usecases import articles

app = build_app(roles=(Role.ADMIN,))


@app.post("/admin/articles", status_code=201, summary="Write an article", tags=[Tag.ADMIN],
          responses={201: returns(EditedArticle, "The article")})
def admin_create_article(body: ArticleRequest):
    return articles.create(caller(app).user_id, body.model_dump(), clock.now())


lambda_handler = http_entry(app)
