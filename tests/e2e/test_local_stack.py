"""The local stack answers over HTTP like the deployed API (SPEC §1, §11)."""


def test_health(stack, http):
    response = http.get(f"{stack}/health", timeout=10)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    assert response.json() == {"status": "ok"}


def test_unknown_route_is_a_json_404(stack, http):
    response = http.get(f"{stack}/no-such-route-{id(http)}", timeout=10)
    assert response.status_code == 404
    body = response.json()
    assert body["error"]["code"] == "NOT_FOUND"
    assert isinstance(body["error"]["message"], str)


def test_cors_preflight(stack, http):
    # The local stage allows http://localhost and http://127.0.0.1 on any port, never "*" (SPEC §1)
    response = http.options(f"{stack}/health", timeout=10, headers={
        "Origin": "http://localhost:5173", "Access-Control-Request-Method": "GET"})
    assert response.status_code == 204
    assert response.headers["access-control-allow-origin"] == "http://localhost:5173"
    other = http.options(f"{stack}/health", timeout=10, headers={
        "Origin": "https://app.example.ma", "Access-Control-Request-Method": "GET"})
    assert "access-control-allow-origin" not in other.headers
