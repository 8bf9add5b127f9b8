"""CORS: the allowlisted front end gets credentials and a preflight answer; others get nothing."""

import aiohttp

ALLOWED = "http://localhost:5173"


async def test_preflight_for_an_allowed_origin(http: aiohttp.ClientSession) -> None:
    headers = {
        "Origin": ALLOWED,
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "Authorization, Content-Type, Idempotency-Key",
    }
    async with http.options("/projects", headers=headers) as response:
        assert response.status == 204
        assert response.headers["Access-Control-Allow-Origin"] == ALLOWED
        assert response.headers["Access-Control-Allow-Credentials"] == "true"
        assert "Idempotency-Key" in response.headers["Access-Control-Allow-Headers"]


async def test_preflight_for_another_origin_is_refused(http: aiohttp.ClientSession) -> None:
    headers = {"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"}
    async with http.options("/projects", headers=headers) as response:
        assert response.status == 403
        assert "Access-Control-Allow-Origin" not in response.headers


async def test_simple_request_exposes_headers_only_to_allowed_origins(
    http: aiohttp.ClientSession,
) -> None:
    async with http.get("/projects?limit=1", headers={"Origin": ALLOWED}) as response:
        assert response.headers["Access-Control-Allow-Origin"] == ALLOWED
        assert "RateLimit" in response.headers["Access-Control-Expose-Headers"]
    async with http.get(
        "/projects?limit=1", headers={"Origin": "https://evil.example"}
    ) as response:
        assert response.status == 200
        assert "Access-Control-Allow-Origin" not in response.headers
