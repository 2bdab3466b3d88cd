from khadamat import clock
from khadamat.api.auth import caller
from khadamat.api.models_bookings import ProposalView, RescheduleRequest
from khadamat.api.prefetch import in_path, target_ref
from khadamat.api.resolver import build_app
from khadamat.api.responses import Tag, returns
from khadamat.domain.accounts import Role
from khadamat.api.entry import http_entry
from khadamat.dal.bookings import BookingRef
from khadamat.usecases import reschedule

app = build_app(roles=(Role.CLIENT, Role.PRO), prefetch=in_path(BookingRef))


@app.post("/bookings/<id>/reschedule", status_code=201,
          summary="Propose another slot for a confirmed booking",
          tags=[Tag.BOOKINGS],
          responses={201: returns(ProposalView, "The open proposal")})
def propose_reschedule(body: RescheduleRequest):
    proposal = reschedule.propose(caller=caller(app), time_slot=body.time_slot,
                                  booking=target_ref(app), now=clock.now())
    return proposal


lambda_handler = http_entry(app)
