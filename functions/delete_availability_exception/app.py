from khadamat.api.auth import caller
from khadamat.api.resolver import build_app, no_content
from khadamat.domain.accounts import Role
from khadamat.api.entry import http_entry
from khadamat.usecases import pros

app = build_app(roles=(Role.PRO,))


@app.delete("/pro/availability/exceptions/<exception_id>")
def delete_availability_exception(exception_id: str):
    pros.delete_exception(caller(app), exception_id)
    return no_content()


lambda_handler = http_entry(app)
