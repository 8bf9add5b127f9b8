"""The calculation package as a PDF: its text, drawing and footer, and what it never fetches."""

import io
from collections.abc import Callable
from typing import Any

import pypdf
import pytest

from apex_contracts.projects import ProjectSubmitted
from apex_contracts.signage import SinglePoleDesignReply
from apex_documents.package import Package, build_package, design_request
from apex_documents.render import ASSETS, BundledAssetsOnly, PackageRenderer, RefusedURL

SUBMITTED_SHA = "5f" * 32
TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
Submit = Callable[..., ProjectSubmitted]


def text_of(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)


def package_of(
    event: ProjectSubmitted, reply: SinglePoleDesignReply | None, notice: str | None = None
) -> Package:
    request, why = design_request(event.payload.module, event.payload.config)
    return build_package(event, request, reply, notice or (why or None), TRACE_ID)


def test_package_text_names_the_project_the_recommended_section_and_the_footing_depth(
    renderer: PackageRenderer,
    make_submission: Submit,
    design_body: dict[str, Any],
    design_reply: SinglePoleDesignReply,
) -> None:
    event = make_submission(design_body, name="Main St pylon")
    pdf = renderer.render(package_of(event, design_reply), event.submitted_at)

    text = text_of(pdf.content)
    assert "Main St pylon" in text
    assert "Recommended section: Pipe8STD" in text
    assert "7.70 ft (92.4 in)" in text  # the minimum embedment depth
    assert "q_h = 25.95 psf" in text and "F = 2,382.6 lb" in text and "M = 40.50 kip-ft" in text
    assert "ASCE 7-16 Eq. 26.10-1" in text and "IBC 2018 §1807.3.2.1 Eq. 18-1" in text
    assert "Acme Signs" in text and "1 Main St, Springfield" in text and "pm@example.com" in text
    assert "Submission number 2" in text and "design payload v3" in text
    assert pdf.pages == len(pypdf.PdfReader(io.BytesIO(pdf.content)).pages) >= 4


def test_every_page_has_a_number_and_the_payload_hash_and_trace_id_in_its_footer(
    renderer: PackageRenderer,
    make_submission: Submit,
    design_body: dict[str, Any],
    design_reply: SinglePoleDesignReply,
) -> None:
    event = make_submission(design_body)
    pdf = renderer.render(package_of(event, design_reply), event.submitted_at)

    pages = pypdf.PdfReader(io.BytesIO(pdf.content)).pages
    for number, page in enumerate(pages, start=1):
        text = page.extract_text()
        assert f"Page {number} of {len(pages)}" in text
        assert f"Design payload SHA-256 {SUBMITTED_SHA}" in text
        assert f"Trace {TRACE_ID}" in text


def test_elevation_is_an_inline_svg_with_pole_height_cabinet_sizes_and_footing_depth(
    renderer: PackageRenderer,
    make_submission: Submit,
    design_body: dict[str, Any],
    design_reply: SinglePoleDesignReply,
) -> None:
    event = make_submission(design_body)
    package = package_of(event, design_reply)

    html = renderer.html(package, event.submitted_at)
    svg = html[html.index("<svg") : html.index("</svg>")]
    assert 'xmlns="http://www.w3.org/2000/svg"' in svg and "<rect" in svg and "<path" in svg
    for label in (
        "pole 20.00 ft",
        "7.70 ft",
        "10.00 ft",
        "C1: 10.00 \u00d7 6.00 ft",
        "Pipe8STD",
        "⌀ 2.00 ft",
    ):
        assert f">{label}</text>" in svg
    text = text_of(renderer.render(package, event.submitted_at).content)
    assert "pole 20.00 ft" in text and "C1: 10.00 \u00d7 6.00 ft" in text


HOSTILE = (
    'Evil <img src="file:///etc/passwd"> <a rel="attachment" href="file:///etc/passwd">x</a>'
    ' <link rel="stylesheet" href="http://127.0.0.1:9/x.css"> & <b>bold</b>'
)


def test_hostile_project_name_is_printed_as_text_and_nothing_is_fetched(
    renderer: PackageRenderer,
    make_submission: Submit,
    design_body: dict[str, Any],
    design_reply: SinglePoleDesignReply,
) -> None:
    event = make_submission(design_body, name=HOSTILE[:200])
    package = package_of(event, design_reply)
    fetcher = BundledAssetsOnly()

    html = renderer.html(package, event.submitted_at)
    pdf = renderer.render(package, event.submitted_at, fetcher)

    assert '<img src="file:///etc/passwd">' not in html  # escaped, so never an element
    assert "&lt;img src=&#34;file:///etc/passwd&#34;&gt;" in html
    text = " ".join(text_of(pdf.content).split())
    assert '<img src="file:///etc/passwd">' in text and "<b>bold</b>" in text
    assert fetcher.refused == []  # not even attempted
    assert set(fetcher.served) <= {"apex-mark.svg"}
    assert b"root:" not in pdf.content and b"/EmbeddedFile" not in pdf.content


def test_the_url_fetcher_refuses_everything_but_bundled_assets() -> None:
    """Even markup that reaches WeasyPrint unescaped cannot read a file or the network."""
    renderer, fetcher = PackageRenderer(), BundledAssetsOnly()  # a fresh image cache
    html = (
        '<html><head><link rel="stylesheet" href="https://example.invalid/x.css">'
        "<style>@import url(http://127.0.0.1:9/y.css);</style></head><body>"
        '<img src="file:///etc/passwd"><img src="http://127.0.0.1:9/z.png">'
        '<img src="data:image/svg+xml,%3Csvg xmlns=%22http://www.w3.org/2000/svg%22/%3E">'
        '<a rel="attachment" href="file:///etc/hostname">attached?</a>'
        f'<img src="{(ASSETS / ".." / ".." / ".." / "pyproject.toml").as_uri()}">'
        '<img src="apex-mark.svg"><p>body text</p></body></html>'
    )
    pdf = renderer.write(renderer.layout(html, fetcher))

    assert {
        "https://example.invalid/x.css",
        "http://127.0.0.1:9/y.css",
        "file:///etc/passwd",
        "http://127.0.0.1:9/z.png",
        "file:///etc/hostname",
    } <= set(fetcher.refused)
    assert any(url.startswith("data:") for url in fetcher.refused)
    assert any(url.endswith("pyproject.toml") for url in fetcher.refused)
    assert fetcher.served == ["apex-mark.svg"]
    assert b"/EmbeddedFile" not in pdf.content and "body text" in text_of(pdf.content)


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        (ASSETS / "apex-mark.svg").as_uri() + "?x=1",
        (ASSETS / "apex-mark.svg").as_uri().replace("file://", "file://evil.example"),
        (ASSETS / "sub" / ".." / ".." / "render.py").as_uri(),
        (ASSETS / "%2e%2e" / "render.py").as_uri(),
        "http://127.0.0.1/apex-mark.svg",
        "ftp://example.invalid/apex-mark.svg",
    ],
)
def test_fetcher_refuses_urls_outside_the_assets_folder(url: str) -> None:
    fetcher = BundledAssetsOnly()
    with pytest.raises(RefusedURL):
        fetcher.fetch(url)
    assert fetcher.refused == [url]


def test_fetcher_serves_a_bundled_asset() -> None:
    response = BundledAssetsOnly().fetch((ASSETS / "apex-mark.svg").as_uri())
    assert response.content_type == "image/svg+xml" and b"<svg" in response.read()


def test_without_engineering_the_package_shows_the_saved_payload_and_says_why(
    renderer: PackageRenderer, make_submission: Submit, design_body: dict[str, Any]
) -> None:
    event = make_submission(design_body)
    package = package_of(event, None, "signage-service did not answer in 3 s")

    text = text_of(renderer.render(package, event.submitted_at).content)

    assert "Engineering results not included" in text
    assert "signage-service did not answer in 3 s" in text
    assert '"overall_height_ft": 20' in text  # the saved payload, as saved
    assert "pole 20.00 ft" in text  # a valid design body still gets its elevation


def test_a_payload_that_is_not_a_design_body_is_shown_as_saved(
    renderer: PackageRenderer, make_submission: Submit
) -> None:
    event = make_submission({"anything": ["goes", 1]}, module="signage.single_pole")
    package = package_of(event, None)

    text = text_of(renderer.render(package, event.submitted_at).content)

    assert package.engineering is None and package.drawing is None
    assert "not a valid design body" in text and '"anything": [' in text


def test_the_same_submission_renders_the_same_bytes(
    renderer: PackageRenderer,
    make_submission: Submit,
    design_body: dict[str, Any],
    design_reply: SinglePoleDesignReply,
) -> None:
    """A redelivered event renders an identical PDF, so its content address does not move."""
    event = make_submission(design_body)
    package = package_of(event, design_reply)
    first = renderer.render(package, event.submitted_at)
    again = renderer.render(package_of(event, design_reply), event.submitted_at)
    assert first.sha256 == again.sha256
