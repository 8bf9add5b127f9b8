"""`/openapi.json` and `/docs` (Swagger UI from a bundled package: no CDN)."""

from functools import cache
from pathlib import Path

import orjson
from aiohttp import web
from swagger_ui_bundle import swagger_ui_path

from ..openapi import build_spec

routes = web.RouteTableDef()

PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>APEX API</title>
<link rel="stylesheet" href="/docs/static/swagger-ui.css"></head>
<body><div id="ui"></div>
<script src="/docs/static/swagger-ui-bundle.js"></script>
<script>SwaggerUIBundle({url: "/openapi.json", dom_id: "#ui"});</script>
</body></html>"""


@cache
def _spec_bytes() -> bytes:
    return orjson.dumps(build_spec())


@routes.get("/openapi.json")
async def openapi(_: web.Request) -> web.Response:
    return web.Response(body=_spec_bytes(), content_type="application/json")


@routes.get("/docs")
async def docs(_: web.Request) -> web.Response:
    return web.Response(text=PAGE, content_type="text/html")


routes.static("/docs/static", Path(swagger_ui_path))
