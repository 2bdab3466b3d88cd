from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query

from khadamat import clock
from khadamat.api.models_pros import ProPage
from khadamat.api.resolver import build_app
from khadamat.api.responses import Tag, returns
from khadamat.api.entry import http_entry
from khadamat.usecases import pros

app = build_app()


@app.get("/pros", summary="Search listed pros by city and category", tags=[Tag.DISCOVERY],
         responses={200: returns(ProPage, "A page of listed pros, ranked")})
def search_pros(city_id: Annotated[str, Query(alias="cityId", max_length=32)],
                category_id: Annotated[str | None, Query(alias="categoryId", max_length=32)] = None,
                time_slot: Annotated[str | None, Query(alias="timeSlot", max_length=64)] = None,
                limit: Annotated[int, Query(ge=1, le=50)] = 20,
                next_token: Annotated[str | None, Query(alias="nextToken", max_length=512)] = None):
    return pros.search_pros(city_id=city_id, category_id=category_id, time_slot=time_slot,
                            limit=limit, next_token=next_token, now=clock.now())


lambda_handler = http_entry(app)
