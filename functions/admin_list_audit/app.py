from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query

from khadamat.api.auth import caller
from khadamat.api.models_admin import AuditPage
from khadamat.api.resolver import build_app
from khadamat.api.responses import Tag, returns
from khadamat.domain.accounts import Role
from khadamat.api.entry import http_entry
from khadamat.usecases import audit

app = build_app(roles=(Role.ADMIN,))


@app.get("/admin/audit", summary="List the audit trail of admin actions", tags=[Tag.ADMIN],
         responses={200: returns(AuditPage, "A page of audit entries, newest first")})
def admin_list_audit(actor_id: Annotated[str | None, Query(alias="actorId", max_length=64)] = None,
                     target_id: Annotated[str | None, Query(alias="targetId", max_length=64)] = None,
                     limit: Annotated[int, Query(ge=1, le=100)] = 50,
                     next_token: Annotated[str | None, Query(alias="nextToken", max_length=2048)] = None):
    return audit.list_entries(caller(app), actor_id, target_id, limit, next_token)


lambda_handler = http_entry(app)
