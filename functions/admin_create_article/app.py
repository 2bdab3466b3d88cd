from khadamat import clock
from khadamat.api.auth import caller
from khadamat.api.models_admin import ArticleRequest
from khadamat.api.resolver import build_app, json_response
from khadamat.domain.accounts import Role
from khadamat.api.entry import http_entry
from khadamat.usecases import articles

app = build_app(roles=(Role.ADMIN,))


@app.post("/admin/articles")
def admin_create_article(body: ArticleRequest):
    return json_response(articles.create(caller(app).user_id, body.model_dump(), clock.now()), 201)


lambda_handler = http_entry(app)
