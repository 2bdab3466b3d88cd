from khadamat import clock
from khadamat.api.auth import caller, prefetched
from khadamat.api.models_bookings import ProposalView, RescheduleRequest, booking_in_path
from khadamat.api.resolver import build_app
from khadamat.api.responses import Tag, returns
from khadamat.domain.accounts import Role
from khadamat.observability import http_entry
from khadamat.usecases import reschedule

app = build_app(roles=(Role.CLIENT, Role.PRO), prefetch=booking_in_path)


@app.post("/bookings/<booking_id>/reschedule", status_code=201,
          summary="Propose another slot for a confirmed booking",
          tags=[Tag.BOOKINGS],
          responses={201: returns(ProposalView, "The open proposal")})
def propose_reschedule(booking_id: str, body: RescheduleRequest):
    proposal = reschedule.propose(caller=caller(app), booking_id=booking_id, time_slot=body.time_slot,
                                  booking=prefetched(app, "booking"), now=clock.now())
    return proposal


lambda_handler = http_entry(app)
