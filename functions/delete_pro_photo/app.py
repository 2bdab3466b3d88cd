from khadamat.api.auth import caller
from khadamat.api.resolver import build_app, path_value
from khadamat.api.responses import NO_CONTENT, Tag
from khadamat.domain.accounts import Role
from khadamat.api.entry import http_entry
from khadamat.usecases import photos

app = build_app(roles=(Role.PRO,))


@app.delete("/pro/photos/<photoId>", status_code=204,
            summary="Delete a work photo",
            tags=[Tag.PRO_WORKSPACE],
            responses={204: NO_CONTENT})
def delete_pro_photo():
    photo_id = path_value(app)  # template.yaml names the path parameter
    photos.delete_photo(caller(app), photo_id)


lambda_handler = http_entry(app)
