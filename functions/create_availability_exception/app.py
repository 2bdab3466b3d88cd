from khadamat import clock
from khadamat.api.auth import caller
from khadamat.api.models_pros import AvailabilityException, ExceptionRequest
from khadamat.api.resolver import build_app
from khadamat.api.responses import Tag, returns
from khadamat.domain.accounts import Role
from khadamat.api.entry import http_entry
from khadamat.usecases import pros

app = build_app(roles=(Role.PRO,))


@app.post("/pro/availability/exceptions", status_code=201,
          summary="Block a period in the pro's calendar",
          tags=[Tag.PRO_PROFILE],
          responses={201: returns(AvailabilityException, "The exception")})
def create_availability_exception(body: ExceptionRequest):
    created = pros.create_exception(caller(app), body.start_at, body.end_at, body.reason, clock.now())
    return created


lambda_handler = http_entry(app)
