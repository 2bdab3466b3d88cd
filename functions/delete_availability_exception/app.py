from khadamat.api.auth import caller
from khadamat.api.resolver import build_app, path_value
from khadamat.api.responses import NO_CONTENT, Tag
from khadamat.domain.accounts import Role
from khadamat.api.entry import http_entry
from khadamat.usecases import pros

app = build_app(roles=(Role.PRO,))


@app.delete("/pro/availability/exceptions/<id>", status_code=204,
            summary="Remove a blocked period",
            tags=[Tag.PRO_PROFILE],
            responses={204: NO_CONTENT})
def delete_availability_exception():
    exception_id = path_value(app)  # template.yaml names the path parameter
    pros.delete_exception(caller(app), exception_id)


lambda_handler = http_entry(app)
