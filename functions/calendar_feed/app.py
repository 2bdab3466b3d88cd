from aws_lambda_powertools.event_handler import Response

from khadamat import clock
from khadamat.api.resolver import build_app
from khadamat.observability import http_entry
from khadamat.usecases import calendar

app = build_app()  # public: the secret token in the URL is the credential (calendar apps send no header)


@app.get("/pro/calendar.ics")
def calendar_feed():
    body = calendar.feed(app.current_event.get_query_string_value("token"), clock.now())
    return Response(status_code=200, content_type="text/calendar; charset=utf-8", body=body,
                    headers={"Cache-Control": "no-store"})


lambda_handler = http_entry(app)
