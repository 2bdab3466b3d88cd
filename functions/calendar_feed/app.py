from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Query

from khadamat import clock
from khadamat.api.resolver import build_app
from khadamat.api.responses import Tag, text
from khadamat.api.entry import http_entry
from khadamat.usecases import calendar

app = build_app()  # public: the secret token in the URL is the credential (calendar apps send no header)


@app.get("/pro/calendar.ics", summary="The pro's bookings as an iCalendar feed", tags=[Tag.PRO_WORKSPACE],
         responses={200: text("text/calendar", "The feed (RFC 5545)")})
def calendar_feed(token: Annotated[str | None, Query()] = None):
    """Any token, even a malformed one, is looked up the same way: unknown → 404."""
    body = calendar.feed(token, clock.now())
    return Response(status_code=200, content_type="text/calendar; charset=utf-8", body=body,
                    headers={"Cache-Control": "no-store"})


lambda_handler = http_entry(app)
