from khadamat import clock
from khadamat.api.models_admin import CreatedAdmin, DevAdminRequest
from khadamat.api.resolver import build_app
from khadamat.api.responses import Tag, returns
from khadamat.api.entry import http_entry
from khadamat.usecases import admin_accounts, dev

app = build_app()


@app.post("/_dev/admins", status_code=201, summary="Create an ADMIN account", tags=[Tag.LOCAL_ONLY],
          responses={201: returns(CreatedAdmin, "The new admin")})
def dev_create_admin(body: DevAdminRequest):
    dev.require_local_stage()
    created = admin_accounts.create_admin(
        email=body.email, password=body.password, phone=body.phone, first_name=body.first_name,
        last_name=body.last_name, created_by="local:_dev/admins", now=clock.now())
    return created


lambda_handler = http_entry(app)
