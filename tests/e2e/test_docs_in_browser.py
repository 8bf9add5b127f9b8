"""`/docs` and `/docs/events` opened the way a person opens them: Debian's Chromium, headless,
driven by Playwright. The page lists the operations with no error panel, and "Try it out" with
a bearer token gets a real answer from the same gateway; the event docs list every routing key
of the AsyncAPI document, with nothing fetched from elsewhere. Screenshots go to
var/screenshots/; docs/swagger-ui.png and docs/asyncapi-events.png, which README shows, are
copies of two."""

import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from playwright.async_api import Browser, Page, async_playwright

from apex_contracts import ASYNCAPI_DOCUMENT

from .conftest import System, bearer

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SHOTS = Path("var/screenshots")


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
        )
        yield launched
        await launched.close()


async def opened_docs(browser: Browser, system: System) -> Page:
    page = await browser.new_page(viewport={"width": 1280, "height": 1400})
    offsite: list[str] = []
    page.on(
        "request",
        lambda r: None if r.url.startswith(system.base_url) else offsite.append(r.url),
    )
    await page.goto(f"{system.base_url}/docs")
    await page.wait_for_selector(".opblock", timeout=30_000)
    assert offsite == [], offsite  # nothing from a CDN
    return page


async def test_docs_lists_the_operations_with_no_error_panel(
    browser: Browser, system: System
) -> None:
    page = await opened_docs(browser, system)
    assert await page.locator(".errors-wrapper").count() == 0
    text = await page.inner_text("#ui")
    assert "Unable to render" not in text
    assert "OAS 3.1" in text
    for block in ("#operations-default-post_projects", "#operations-default-get_tasks_task_id"):
        assert await page.locator(block).count() == 1, block
    await page.screenshot(path=SHOTS / "docs.png", full_page=False)  # makes the folder


async def test_try_it_out_with_a_bearer_token_gets_the_gateways_answer(
    browser: Browser, system: System
) -> None:
    page = await opened_docs(browser, system)
    token = bearer(system.settings)["Authorization"].removeprefix("Bearer ")
    await page.click(".auth-wrapper .authorize")
    await page.locator(".modal-ux input").first.fill(token)
    await page.locator(".modal-ux .auth-btn-wrapper .authorize").first.click()
    await page.click(".modal-ux .btn-done")
    operation = page.locator("#operations-default-get_projects")
    await operation.locator(".opblock-summary").click()
    await operation.locator(".try-out__btn").click()
    await operation.locator(".execute").click()
    status = operation.locator(".live-responses-table td.response-col_status:not(.col_header)")
    await status.wait_for(timeout=15_000)
    assert (await status.inner_text()).strip() == "200"
    body = await operation.locator(".live-responses-table .microlight").first.inner_text()
    assert '"items"' in body  # the account's project page, read through the gateway
    await page.screenshot(path=SHOTS / "docs-try-it-out.png", full_page=False)


def routing_keys(document: dict[str, Any]) -> set[str]:
    """Every routing key the AsyncAPI document names: its channels' addresses and the `cc` of
    its operations' AMQP bindings (`#`, a subscriber's wildcard, is none)."""
    keys = {channel["address"] for channel in document["channels"].values()}
    for operation in document["operations"].values():
        keys.update(operation.get("bindings", {}).get("amqp", {}).get("cc", []))
    return keys - {"#"}


async def test_event_docs_list_every_routing_key_offline(browser: Browser, system: System) -> None:
    document = yaml.safe_load(ASYNCAPI_DOCUMENT.read_bytes())
    expected = routing_keys(document)
    assert {"project.created", "project.update", "signage.single_pole.design"} <= expected
    page = await browser.new_page(viewport={"width": 1600, "height": 1100})
    offsite: list[str] = []
    page.on(
        "request",
        lambda r: None if r.url.startswith(system.base_url) else offsite.append(r.url),
    )
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    await page.goto(f"{system.base_url}/docs/events")
    await page.wait_for_selector("#introduction", timeout=30_000)
    text = await page.inner_text("#asyncapi")
    assert "Error" not in text.split("\n")[0], text[:500]
    assert "APEX" in text
    missing = sorted(k for k in expected if k not in text)
    assert missing == [], missing
    assert offsite == [] and errors == [], (offsite, errors)
    await page.get_by_text("project.created", exact=True).first.scroll_into_view_if_needed()
    await page.screenshot(path=SHOTS / "docs-events.png", full_page=False)
