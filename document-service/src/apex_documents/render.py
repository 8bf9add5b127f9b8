"""HTML from the package templates, PDF from WeasyPrint; only bundled assets are ever read.

WeasyPrint 70's default URL fetcher follows `http(s)://` and reads `file://`, so every render
gets a `BundledAssetsOnly` fetcher that serves the files shipped in `assets/` and refuses any
other URL without touching the network or the file system.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import posixpath
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from jinja2 import Environment, PackageLoader, StrictUndefined
from weasyprint import CSS, HTML, Document
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from .package import Package

log = logging.getLogger(__name__)

ASSETS = Path(__file__).resolve().parent / "assets"
MEDIA_TYPES = {".css": "text/css", ".svg": "image/svg+xml", ".png": "image/png"}


@functools.cache
def bundled(root: Path) -> dict[str, bytes]:
    """The asset files by name, read once per process."""
    return {p.name: p.read_bytes() for p in root.iterdir() if p.suffix in MEDIA_TYPES}


class RefusedURL(ValueError):
    """A URL that is not a bundled asset (WeasyPrint logs it and leaves the resource out)."""


class BundledAssetsOnly(URLFetcher):  # type: ignore[misc]
    """Serves the package's own assets and refuses every other URL: http(s), file, data, …"""

    def __init__(self, root: Path = ASSETS) -> None:
        super().__init__(allowed_protocols=("file",), allow_redirects=False, timeout=1)
        self.root = str(root)
        self.assets = bundled(root)
        self.refused: list[str] = []
        self.served: list[str] = []

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        name = self.asset_name(url)
        if name is None:
            self.refused.append(url)
            log.warning("refused to fetch a URL while rendering", extra={"url": url[:200]})
            raise RefusedURL(f"only bundled assets are loaded, not {url[:200]!r}")
        self.served.append(name)
        media_type = MEDIA_TYPES[posixpath.splitext(name)[1]]
        return URLFetcherResponse(url, self.assets[name], {"Content-Type": media_type})

    def asset_name(self, url: str) -> str | None:
        """The bundled file a URL names, decided on the string alone (no file system access)."""
        parts = urlsplit(url)
        if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
            return None
        if parts.query or parts.fragment:
            return None
        path = posixpath.normpath(unquote(parts.path))
        directory, name = posixpath.split(path)
        return name if directory == self.root and name in self.assets else None


@dataclass(frozen=True)
class RenderedPdf:
    content: bytes
    pages: int

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


class PackageRenderer:
    """Templates, stylesheet and fonts loaded once; each step is synchronous and CPU-bound.

    One renderer is used from one thread at a time (the service runs it on a single worker
    thread): WeasyPrint makes no promise of thread safety.
    """

    def __init__(self) -> None:
        env = Environment(
            loader=PackageLoader("apex_documents", "templates"),
            autoescape=True,  # every template, .svg included
            undefined=StrictUndefined,
            trim_blocks=False,
            lstrip_blocks=False,
        )
        self.template = env.get_template("package.html")
        self.fonts = FontConfiguration()
        self.stylesheet = CSS(
            filename=str(ASSETS / "package.css"),
            url_fetcher=BundledAssetsOnly(),
            font_config=self.fonts,
        )
        self.image_cache: dict[str, Any] = {}  # the bundled logo, decoded once

    def html(self, package: Package, created: datetime) -> str:
        return self.template.render(p=package, created=created.strftime("%Y-%m-%dT%H:%M:%SZ"))

    def layout(self, html: str, fetcher: BundledAssetsOnly | None = None) -> Document:
        """Lay out the pages (the expensive half)."""
        source = HTML(
            string=html,
            base_url=ASSETS.as_uri() + "/",
            url_fetcher=fetcher or BundledAssetsOnly(),
        )
        document: Document = source.render(
            stylesheets=[self.stylesheet], font_config=self.fonts, cache=self.image_cache
        )
        return document

    def write(self, document: Document) -> RenderedPdf:
        """Paint the laid-out pages into PDF bytes."""
        content: bytes = document.write_pdf()
        return RenderedPdf(content=content, pages=len(document.pages))

    def render(
        self, package: Package, created: datetime, fetcher: BundledAssetsOnly | None = None
    ) -> RenderedPdf:
        """All steps at once (tests and the benchmark)."""
        return self.write(self.layout(self.html(package, created), fetcher))
