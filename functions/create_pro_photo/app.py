from khadamat import clock
from khadamat.api.auth import caller
from khadamat.api.models_pros import PhotoUpload, PhotoUploadRequest
from khadamat.api.resolver import build_app
from khadamat.api.responses import Tag, returns
from khadamat.domain.accounts import Role
from khadamat.api.entry import http_entry
from khadamat.usecases import photos

app = build_app(roles=(Role.PRO,))


@app.post("/pro/photos", status_code=201,
          summary="Start uploading a work photo (returns a presigned upload)",
          tags=[Tag.PRO_WORKSPACE],
          responses={201: returns(PhotoUpload, "A presigned upload")})
def create_pro_photo(body: PhotoUploadRequest):
    return photos.start_upload(caller(app), body.content_type, clock.now())


lambda_handler = http_entry(app)
