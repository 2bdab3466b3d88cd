"""The success status a route declares is the status it answers with (khadamat/api/responses.py)."""

from __future__ import annotations

from aws_lambda_powertools.event_handler import Response

from khadamat.api.resolver import build_app
from khadamat.api.responses import NO_CONTENT, Tag, returns
from khadamat.api.schemas import IdAndStatus


def _event(method: str, path: str) -> dict:
    return {"version": "2.0", "routeKey": f"{method} {path}", "rawPath": path, "rawQueryString": "",
            "headers": {}, "isBase64Encoded": False,
            "requestContext": {"http": {"method": method, "path": path, "sourceIp": "127.0.0.1"},
                               "stage": "$default"}}


def test_a_dict_is_answered_with_the_declared_status_and_none_with_an_empty_204():
    # Given routes declaring 201 with a model and 204 without a body
    app = build_app()

    @app.post("/things", status_code=201, summary="Make a thing", tags=[Tag.LOCAL_ONLY],
              responses={201: returns(IdAndStatus, "The thing")})
    def make():
        return {"id": "t1", "status": "NEW"}

    @app.delete("/things", status_code=204, summary="Drop the things", tags=[Tag.LOCAL_ONLY],
                responses={204: NO_CONTENT})
    def drop():
        return None

    # When each is called
    created = app.resolve(_event("POST", "/things"), None)
    dropped = app.resolve(_event("DELETE", "/things"), None)
    # Then the handler's dict is the 201 body, and nothing is an empty 204 (not "null")
    assert created["statusCode"] == 201 and '"id":"t1"' in created["body"].replace(" ", "")
    assert dropped["statusCode"] == 204 and dropped["body"] == ""


def test_a_response_object_keeps_its_own_status():
    app = build_app()

    @app.get("/page", summary="A page", tags=[Tag.CONTENT], responses={200: returns(IdAndStatus, "x")})
    def page():
        return Response(304, None, "")

    assert app.resolve(_event("GET", "/page"), None)["statusCode"] == 304
