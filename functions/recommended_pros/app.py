from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query

from khadamat import clock
from khadamat.api.models_pros import RecommendedPros
from khadamat.api.resolver import build_app
from khadamat.api.responses import Tag, returns
from khadamat.api.entry import http_entry
from khadamat.usecases import pros

app = build_app()


@app.get("/pros/recommended",
         summary="List the recommended pros of a city and category",
         tags=[Tag.DISCOVERY],
         responses={200: returns(RecommendedPros, "The last weekly pick (badge RECOMMENDED)")})
def recommended_pros(city_id: Annotated[str, Query(alias="cityId", max_length=32)],
                     category_id: Annotated[str, Query(alias="categoryId", max_length=32)]):
    return pros.recommended_pros(city_id=city_id, category_id=category_id, now=clock.now())


lambda_handler = http_entry(app)
