from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query

from khadamat.api.auth import ANY_ROLE, caller
from khadamat.api.models_notifications import NotificationPage
from khadamat.api.resolver import build_app
from khadamat.api.responses import Tag, returns
from khadamat.api.entry import http_entry
from khadamat.usecases import notifications

app = build_app(roles=ANY_ROLE)


@app.get("/me/notifications",
         summary="List the caller's notifications, newest first",
         tags=[Tag.NOTIFICATIONS],
         responses={200: returns(NotificationPage, "A page of notifications")})
def list_notifications(limit: Annotated[int, Query(ge=1, le=50)] = 20,
                       nextToken: Annotated[str | None, Query(max_length=1024)] = None):  # noqa: N803
    return notifications.list_notifications(caller(app), limit, nextToken)


lambda_handler = http_entry(app)
