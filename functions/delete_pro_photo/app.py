from khadamat.api.auth import caller
from khadamat.api.resolver import build_app, no_content
from khadamat.domain.accounts import Role
from khadamat.api.entry import http_entry
from khadamat.usecases import photos

app = build_app(roles=(Role.PRO,))


@app.delete("/pro/photos/<photo_id>")
def delete_pro_photo(photo_id: str):
    photos.delete_photo(caller(app), photo_id)
    return no_content()


lambda_handler = http_entry(app)
