from khadamat import clock
from khadamat.api.auth import caller
from khadamat.api.models_pros import ExceptionRequest
from khadamat.api.resolver import build_app, json_response
from khadamat.domain.accounts import Role
from khadamat.api.entry import http_entry
from khadamat.usecases import pros

app = build_app(roles=(Role.PRO,))


@app.post("/pro/availability/exceptions")
def create_availability_exception(body: ExceptionRequest):
    created = pros.create_exception(caller(app), body.start_at, body.end_at, body.reason, clock.now())
    return json_response(created, 201)


lambda_handler = http_entry(app)
