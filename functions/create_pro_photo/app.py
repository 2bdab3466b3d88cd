from khadamat import clock
from khadamat.api.auth import caller
from khadamat.api.models_pros import PhotoUploadRequest
from khadamat.api.resolver import build_app, json_response
from khadamat.domain.accounts import Role
from khadamat.api.entry import http_entry
from khadamat.usecases import photos

app = build_app(roles=(Role.PRO,))


@app.post("/pro/photos")
def create_pro_photo(body: PhotoUploadRequest):
    return json_response(photos.start_upload(caller(app), body.content_type, clock.now()), 201)


lambda_handler = http_entry(app)
