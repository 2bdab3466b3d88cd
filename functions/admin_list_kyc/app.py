from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query

from khadamat.api.auth import caller
from khadamat.api.models_kyc import KycPage
from khadamat.api.resolver import build_app
from khadamat.api.responses import Tag, returns
from khadamat.domain.accounts import Role
from khadamat.api.entry import http_entry
from khadamat.usecases import kyc

app = build_app(roles=(Role.ADMIN,))


@app.get("/admin/kyc", summary="List pros' KYC files by status", tags=[Tag.ADMIN],
         responses={200: returns(KycPage, "A page of KYC files")})
def admin_list_kyc(status: Annotated[str, Query(max_length=16)] = "PENDING",
                   limit: Annotated[int, Query(ge=1, le=100)] = 50,
                   next_token: Annotated[str | None, Query(alias="nextToken", max_length=2048)] = None):
    return kyc.list_for_review(caller(app), status, limit, next_token)


lambda_handler = http_entry(app)
