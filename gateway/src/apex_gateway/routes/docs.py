"""`/openapi.json` and `/docs`: Swagger UI 5 (which reads OpenAPI 3.1) from the files the
PyPI package swagger-ui-py ships, so nothing is fetched from a CDN at run time; the AsyncAPI
document of the events and commands, raw, at `/asyncapi.yaml` and `/asyncapi.json`, and
rendered at `/docs/events` by the AsyncAPI React component's standalone bundle, which
`scripts/web-assets.sh` fetches at build time into the package data."""

from importlib.resources import files
from pathlib import Path

import orjson
import yaml
from aiohttp import web

from apex_contracts import ASYNCAPI_DOCUMENT

from ..call import Api
from ..envelope import ApiError
from ..openapi import build_spec

api = Api()  # pages and documents: no operation of the API document

PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>APEX API</title>
<link rel="stylesheet" href="/docs/static/swagger-ui.css"></head>
<body><div id="ui"></div>
<script src="/docs/static/swagger-ui-bundle.js"></script>
<script>SwaggerUIBundle({url: "/openapi.json", dom_id: "#ui", persistAuthorization: true});</script>
</body></html>"""


ALL_OPERATIONS = web.AppKey("operations", tuple)  # every route module's `api.operations`
SPEC = web.AppKey("openapi", bytes)


@api.routes.get("/openapi.json")
async def openapi(request: web.Request) -> web.Response:
    if SPEC not in request.app:
        request.app[SPEC] = orjson.dumps(build_spec(request.app[ALL_OPERATIONS]))
    return web.Response(body=request.app[SPEC], content_type="application/json")


ASYNCAPI = web.AppKey("asyncapi", tuple)  # (YAML bytes, JSON bytes), read once


def _asyncapi(app: web.Application) -> tuple[bytes, bytes]:
    if ASYNCAPI not in app:
        raw = ASYNCAPI_DOCUMENT.read_bytes()
        app[ASYNCAPI] = (raw, orjson.dumps(yaml.safe_load(raw)))
    return app[ASYNCAPI]


@api.routes.get("/asyncapi.yaml")
async def asyncapi_yaml(request: web.Request) -> web.Response:
    return web.Response(body=_asyncapi(request.app)[0], content_type="application/yaml")


@api.routes.get("/asyncapi.json")
async def asyncapi_json(request: web.Request) -> web.Response:
    return web.Response(body=_asyncapi(request.app)[1], content_type="application/json")


@api.routes.get("/docs")
async def docs(_: web.Request) -> web.Response:
    return web.Response(text=PAGE, content_type="text/html")


SWAGGER_UI = Path(str(files("swagger_ui") / "static"))
api.routes.static("/docs/static", SWAGGER_UI)

EVENTS_PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>APEX events</title>
<link rel="stylesheet" href="/docs/events/static/asyncapi.min.css"></head>
<body><div id="asyncapi"></div>
<script src="/docs/events/static/asyncapi-standalone.js"></script>
<script>AsyncApiStandalone.render({schema: {url: "/asyncapi.json"},
  config: {show: {sidebar: true}, sidebar: {showOperations: "byDefault"}}},
  document.getElementById("asyncapi"));</script>
</body></html>"""

ASYNCAPI_UI = Path(str(files("apex_gateway") / "static" / "asyncapi"))  # scripts/web-assets.sh


@api.routes.get("/docs/events")
async def event_docs(_: web.Request) -> web.Response:
    if not (ASYNCAPI_UI / "asyncapi-standalone.js").is_file():
        raise ApiError(
            500,
            "the event docs viewer was not built into this installation: "
            "run scripts/web-assets.sh (make install does)",
            type="internal",
        )
    return web.Response(text=EVENTS_PAGE, content_type="text/html")


if ASYNCAPI_UI.is_dir():  # else the page says how to build it, and the gateway still starts
    api.routes.static("/docs/events/static", ASYNCAPI_UI)
