from khadamat import clock
from khadamat.api.auth import caller
from khadamat.api.models_pros import WeeklyHoursAnswer, WeeklyHoursRequest
from khadamat.api.resolver import build_app
from khadamat.api.responses import Tag, returns
from khadamat.domain.accounts import Role
from khadamat.api.entry import http_entry
from khadamat.usecases import pros

app = build_app(roles=(Role.PRO,))


@app.put("/pro/availability/weekly", summary="Replace the pro's weekly working hours", tags=[Tag.PRO_PROFILE],
         responses={200: returns(WeeklyHoursAnswer, "The weekly hours as saved")})
def replace_weekly_hours(body: WeeklyHoursRequest):
    return pros.replace_weekly_hours(caller(app), body.days, clock.now())


lambda_handler = http_entry(app)
