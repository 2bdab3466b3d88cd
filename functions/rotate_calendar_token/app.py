from khadamat import clock, config
from khadamat.api.auth import caller
from khadamat.api.models_pros import CalendarUrl
from khadamat.api.resolver import build_app
from khadamat.api.responses import Tag, returns
from khadamat.domain.accounts import Role
from khadamat.api.entry import http_entry
from khadamat.usecases import calendar

app = build_app(roles=(Role.PRO,))


def _base_url() -> str:
    """The API's own address, as this request reached it."""
    event = app.current_event
    host = event.headers.get("host") or event.request_context.domain_name
    return f"{'http' if config.is_local() else 'https'}://{host}"


@app.post("/pro/calendar/token",
          summary="Create or rotate the pro's secret calendar feed URL",
          tags=[Tag.PRO_WORKSPACE],
          responses={200: returns(CalendarUrl, "The new feed URL (the old one stops working)")})
def rotate_calendar_token():
    return calendar.new_feed_url(caller(app), _base_url(), clock.now())


lambda_handler = http_entry(app)
