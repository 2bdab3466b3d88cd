from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query

from khadamat import clock
from khadamat.api.resolver import build_app
from khadamat.api.entry import http_entry
from khadamat.usecases import pros

app = build_app()


@app.get("/pros/recommended")
def recommended_pros(city_id: Annotated[str, Query(alias="cityId", max_length=32)],
                     category_id: Annotated[str, Query(alias="categoryId", max_length=32)]):
    return pros.recommended_pros(city_id=city_id, category_id=category_id, now=clock.now())


lambda_handler = http_entry(app)
