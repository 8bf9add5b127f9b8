"""The HTTP ceiling: a bare aiohttp handler that answers `POST /projects` with a fixed body.

Same server stack as the gateway (aiohttp `web.run_app`, no access log), no middleware,
no validation, no Redis, no broker.
"""

from aiohttp import web
from harness import serve

BODY = (
    b'{"result":{"task_id":"00000000-0000-0000-0000-000000000000",'
    b'"project_id":"00000000-0000-0000-0000-000000000000",'
    b'"status_url":"/tasks/00000000-0000-0000-0000-000000000000"},'
    b'"errors":[],"assumptions":[],"confidence":1.0,"trace":{"trace_id":null}}'
)


async def accept(request: web.Request) -> web.Response:
    await request.read()
    return web.Response(body=BODY, status=202, content_type="application/json")


async def ready(_: web.Request) -> web.Response:
    return web.Response(body=b"{}", content_type="application/json")


def main() -> None:
    app = web.Application()
    app.router.add_post("/projects", accept)
    app.router.add_get("/ready", ready)
    serve(app, __doc__.splitlines()[0])


if __name__ == "__main__":
    main()
