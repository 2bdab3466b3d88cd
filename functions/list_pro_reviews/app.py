from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query

from khadamat.api.models_pros import ReviewPage
from khadamat.api.resolver import build_app, path_value
from khadamat.api.responses import Tag, returns
from khadamat.api.entry import http_entry
from khadamat.usecases import reviews

app = build_app(unknown_id_code="PRO_NOT_FOUND")


@app.get("/pros/<proId>/reviews", summary="List a pro's visible reviews, newest first", tags=[Tag.DISCOVERY],
         responses={200: returns(ReviewPage, "A page of reviews")})
def list_pro_reviews(limit: Annotated[int, Query(ge=1, le=50)] = 20,
                     next_token: Annotated[str | None, Query(alias="nextToken", max_length=1024)] = None):
    pro_id = path_value(app)  # template.yaml names the path parameter
    return reviews.public_reviews(pro_id, limit, next_token)


lambda_handler = http_entry(app)
