from khadamat import clock
from khadamat.api.auth import caller
from khadamat.api.models_bookings import CreateBookingRequest
from khadamat.api.resolver import build_app, json_response
from khadamat.domain.accounts import Role
from khadamat.api.entry import http_entry
from khadamat.usecases import booking_requests

app = build_app(roles=(Role.CLIENT,))


@app.post("/bookings")
def create_booking(body: CreateBookingRequest):
    key = app.current_event.headers.get("idempotency-key")
    booking = booking_requests.create_booking_once(caller=caller(app), body=body.wire(),
                                                   idempotency_key=key, now=clock.now(),
                                                   lambda_context=app.lambda_context)
    return json_response(booking, 201)


lambda_handler = http_entry(app)
