from khadamat import clock
from khadamat.api.auth import caller
from khadamat.api.models_bookings import RescheduleRequest, booking_in_path, path_booking
from khadamat.api.resolver import build_app, json_response
from khadamat.domain.accounts import Role
from khadamat.api.entry import http_entry
from khadamat.usecases import reschedule

app = build_app(roles=(Role.CLIENT, Role.PRO), prefetch=booking_in_path)


@app.post("/bookings/<id>/reschedule")
def propose_reschedule(body: RescheduleRequest):
    proposal = reschedule.propose(caller=caller(app), time_slot=body.time_slot,
                                  booking=path_booking(app), now=clock.now())
    return json_response(proposal, 201)


lambda_handler = http_entry(app)
