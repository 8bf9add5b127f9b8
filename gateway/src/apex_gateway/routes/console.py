"""`/console`: the operators' pages (tasks, dead letters, health, audit verify), static files
that call the gateway's own API with the token or key the operator pastes in.

The pages show data any account member or a dead-lettered message may have written (a project
named `<img onerror=…>`), so their script builds every element with `textContent`, and the
Content-Security-Policy below allows scripts and styles from this origin only: no inline code
runs even if markup slipped through. The policy is set on these responses alone; the JSON API
is not a document a browser renders.
"""

from importlib.resources import files

from aiohttp import web

from ..call import Api
from ..envelope import ApiError

api = Api()  # pages and documents: no operation of the API document

ASSETS = files("apex_gateway") / "console"
CONTENT_TYPES = {
    ".html": "text/html",
    ".js": "text/javascript",
    ".css": "text/css",
    ".svg": "image/svg+xml",
}
POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
    )
)
HEADERS = {
    "Content-Security-Policy": POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-cache",  # revalidate: a gateway upgrade ships new scripts
}
CONSOLE_FILES = web.AppKey("console_files", dict)  # name → (bytes, content type), read once


def _files(app: web.Application) -> dict[str, tuple[bytes, str]]:
    if CONSOLE_FILES not in app:
        found = {}
        for entry in ASSETS.iterdir():
            suffix = "." + entry.name.rpartition(".")[2]
            if entry.is_file() and suffix in CONTENT_TYPES:
                found[entry.name] = (entry.read_bytes(), CONTENT_TYPES[suffix])
        app[CONSOLE_FILES] = found
    return app[CONSOLE_FILES]


def _serve(app: web.Application, name: str) -> web.Response:
    asset = _files(app).get(name)
    if asset is None:
        raise ApiError(404, f"/console/{name} not found", type="not_found")
    body, content_type = asset
    return web.Response(body=body, content_type=content_type, charset="utf-8", headers=HEADERS)


@api.routes.get("/console")
async def console(request: web.Request) -> web.Response:
    return _serve(request.app, "index.html")


@api.routes.get("/console/{name}")
async def console_file(request: web.Request) -> web.Response:
    """One of the console's own files, by name (no folders: nothing else can be reached)."""
    return _serve(request.app, request.match_info["name"])
