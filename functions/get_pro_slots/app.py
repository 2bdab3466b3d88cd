from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query

from khadamat import clock
from khadamat.api.models_pros import ProSlots
from khadamat.api.resolver import build_app, path_value
from khadamat.api.responses import Tag, returns
from khadamat.api.entry import http_entry
from khadamat.usecases import pros

app = build_app(unknown_id_code="PRO_NOT_FOUND")


@app.get("/pros/<proId>/slots", summary="List a pro's free one-hour slots, day by day", tags=[Tag.DISCOVERY],
         responses={200: returns(ProSlots, "The free slot starts, in order")})
def get_pro_slots(from_day: Annotated[str | None, Query(alias="from", max_length=10)] = None,
                  days: Annotated[int, Query(ge=1, le=14)] = 7):
    pro_id = path_value(app)  # template.yaml names the path parameter
    return pros.pro_slots(pro_id, from_day, days, clock.now())


lambda_handler = http_entry(app)
