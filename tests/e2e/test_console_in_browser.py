"""`/console`, the operators' pages, opened in Debian's Chromium (headless, Playwright) against
the real services: sign in with a pasted token, follow a task to SUCCESS, cancel one that no
worker runs, inspect a dead letter and replay one until it is handled, read the health and
verify the audit log. Every test also holds the page to its promises: data shows as text (a
project named like markup creates no element and opens no dialog), nothing is fetched from
another origin, no script error. Each account is the test's own, so its lists hold only what
the test made. Screenshots go to var/screenshots/; README shows copies in docs/."""

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from urllib.parse import urlsplit
from uuid import uuid4

import aio_pika
import aiohttp
import orjson
import pytest
from playwright.async_api import Browser, Page, Request, expect

from apex_contracts import topology as t
from apex_gateway.deps import DEPS

from . import test_docs_in_browser as docs_pages
from .conftest import System, bearer, client
from .helpers import call, task_done
from .test_delivery import publish_raw
from .test_submission import ready_project, submit

HOSTILE = "<img src=x onerror=alert(1)>"
SHOTS = docs_pages.SHOTS
browser = docs_pages.browser  # the same headless Chromium as the docs pages' tests


@dataclass
class Console:
    """One signed-in tab of the console, and what it did that it must not."""

    page: Page
    account: str
    base_url: str
    headers: dict[str, str]
    offsite: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    async def open(self, view: str) -> None:
        await self.page.goto(f"{self.base_url}/console#{view}")

    async def sign_in(self, credential: str) -> None:
        await self.page.fill("#credential", credential)
        await self.page.click("#signin-form button[type=submit]")

    async def shows_task_in(self, state: str, timeout_s: float = 5) -> None:
        """The open task's detail names `state` (it long-polls until then)."""
        badge = self.page.locator("#task-detail .detail-head .badge")
        await expect(badge).to_have_text(state, timeout=timeout_s * 1000)

    async def shot(self, name: str) -> None:
        await self.page.screenshot(path=SHOTS / f"console-{name}.png", full_page=False)

    async def assert_clean(self) -> None:
        """No dialog, no element made from data, nothing from elsewhere, no script error."""
        assert self.dialogs == [], self.dialogs
        assert await self.page.locator("img").count() == 0
        assert self.offsite == [], self.offsite
        assert self.errors == [], self.errors


@pytest.fixture
async def console(browser: Browser, system: System) -> AsyncIterator[Console]:
    """A tab signed in as an admin of a fresh account."""
    account = f"ops-{uuid4().hex[:8]}"
    headers = bearer(system.settings, account=account, sub="ops", roles="admin")
    page = await browser.new_page(viewport={"width": 1440, "height": 900})
    tab = Console(page, account, system.base_url, headers)
    page.on(
        "request",
        lambda r: None if r.url.startswith(system.base_url) else tab.offsite.append(r.url),
    )
    page.on("pageerror", lambda e: tab.errors.append(str(e)))
    # a refused script or style (the CSP), a missing file: the browser logs them as errors
    page.on("console", lambda m: tab.errors.append(m.text) if m.type == "error" else None)

    async def dismiss(dialog: object) -> None:
        tab.dialogs.append(dialog.message)  # type: ignore[attr-defined]
        await dialog.dismiss()  # type: ignore[attr-defined]

    page.on("dialog", dismiss)
    await tab.open("tasks")
    await tab.sign_in(headers["Authorization"].removeprefix("Bearer "))
    await expect(page.locator("#nav")).to_be_visible()
    yield tab
    await page.close()


@pytest.fixture
async def api(console: Console, system: System) -> AsyncIterator[aiohttp.ClientSession]:
    """The same account through the API, to make what the console shows."""
    async with client(system, console.headers) as session:
        yield session


async def create(api: aiohttp.ClientSession, name: str) -> str:
    status, body, _ = await call(api, "POST", "/projects", json={"name": name, "customer": "Acme"})
    assert status == 202, body
    return str(body["result"]["task_id"])


async def unrun(system: System, account: str) -> str:
    """A task that no worker runs, so it stays PENDING: its id."""
    task_id = str(uuid4())
    await system.services["projects"].status.create(task_id, "project.submit", account, "ops")
    return task_id


async def test_the_pages_are_public_and_sent_with_a_strict_policy(system: System) -> None:
    async with aiohttp.ClientSession(base_url=system.base_url) as anonymous:
        for path, kind in [
            ("/console", "text/html"),
            ("/console/app.js", "text/javascript"),
            ("/console/console.css", "text/css"),
        ]:
            async with anonymous.get(path) as response:
                assert response.status == 200, path
                assert response.content_type == kind
                policy = response.headers["Content-Security-Policy"]
                assert "default-src 'self'" in policy and "script-src 'self'" in policy
                assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
                assert response.headers["X-Content-Type-Options"] == "nosniff"
                assert response.headers["Referrer-Policy"] == "no-referrer"
        for path in ("/console/nothing.js", "/console/..%2Froutes%2Fconsole.py"):
            async with anonymous.get(path) as response:
                assert response.status == 404, path
        async with anonymous.get("/openapi.json") as response:
            paths = (await response.json())["paths"]
        assert not [p for p in paths if p.startswith("/console")]  # pages, not operations


async def test_the_browser_refuses_inline_script_under_the_policy(console: Console) -> None:
    """Were markup ever to reach the page, its script would not run."""
    refused = console.page.expect_console_message(lambda m: "Content Security Policy" in m.text)
    async with refused:
        ran = await console.page.evaluate(
            """() => { const s = document.createElement("script");
                       s.textContent = "window.injected = true"; document.body.append(s);
                       return window.injected === true; }"""
        )
    assert ran is False


async def test_a_credential_the_gateway_refuses_is_not_kept(
    browser: Browser, system: System
) -> None:
    page = await browser.new_page()
    await page.goto(f"{system.base_url}/console")
    await page.fill("#credential", "not-a-token")
    await page.click("#signin-form button[type=submit]")
    await expect(page.locator("#signin-error")).to_contain_text("Not accepted")
    assert await page.evaluate("sessionStorage.length") == 0
    assert await page.locator("#nav").is_hidden()
    await page.close()


async def test_an_api_key_signs_in_and_a_viewer_is_told_what_it_may_not_see(
    browser: Browser, system: System
) -> None:
    account = f"ops-{uuid4().hex[:8]}"
    key, _ = await system.app[DEPS].keys.create(account, "console viewer", ["viewer"])
    pending = await unrun(system, account)
    page = await browser.new_page()
    sent: list[Request] = []
    page.on("request", lambda r: sent.append(r) if urlsplit(r.url).path == "/tasks" else None)
    await page.goto(f"{system.base_url}/console")
    await page.fill("#credential", key)
    await page.click("#signin-form button[type=submit]")
    await expect(page.locator(f"tr[data-task-id='{pending}']")).to_be_visible()
    headers = [await request.all_headers() for request in sent]
    assert headers and all(h.get("x-apex-key") == key and "authorization" not in h for h in headers)
    await page.goto(f"{system.base_url}/console#health")
    await expect(page.locator(".notice-error")).to_contain_text("admin role")
    await page.close()


async def test_a_created_task_is_listed_and_followed_to_success_with_its_name_as_text(
    console: Console, api: aiohttp.ClientSession
) -> None:
    for name in ("Main St pylon", "Harbor monument sign"):
        await task_done(api, await create(api, name))
    task_id = await create(api, HOSTILE)
    page = console.page
    await page.click("#task-filters button[type=submit]")
    row = page.locator(f"tr[data-task-id='{task_id}']")
    await expect(row).to_be_visible()
    assert await page.locator("tbody tr[data-task-id]").first.get_attribute("data-task-id") == (
        task_id
    )  # newest first
    await row.click()
    detail = page.locator("#task-detail")
    await console.shows_task_in("SUCCESS", timeout_s=15)
    await expect(detail.locator("pre.json")).to_contain_text(HOSTILE)  # the result, as text
    await expect(detail.locator("table")).to_contain_text("STARTED")  # its history
    await expect(row.locator(".badge")).to_have_text("SUCCESS")
    await console.assert_clean()


async def test_a_submission_shows_its_children_and_each_child_its_parent(
    console: Console, api: aiohttp.ClientSession, system: System
) -> None:
    cancelled = await unrun(system, console.account)
    await call(api, "DELETE", f"/tasks/{cancelled}")
    await publish_invalid(system, console.account, HOSTILE)
    project_id = await ready_project(api, name="Main St pylon")
    status, accepted = await submit(api, project_id)
    assert status == 202, accepted
    task_id = accepted["result"]["task_id"]
    page = console.page
    await console.open(f"tasks/{task_id}")
    detail = page.locator("#task-detail")
    await console.shows_task_in("SUCCESS", timeout_s=30)
    children = detail.locator(".tree li")
    await expect(children).to_have_count(2)
    await expect(detail.locator(".tree")).to_contain_text("render_document")
    await expect(detail.locator(".tree")).to_contain_text("email_pm")
    await page.click("#task-filters button[type=submit]")  # the list, as it is now
    await expect(page.locator(f"tr[data-task-id='{cancelled}'] .badge")).to_have_text("REVOKED")
    await console.shot("tasks")
    await children.first.locator("a").click()
    await expect(detail.locator(".fields")).to_contain_text(task_id)  # its parent
    await console.shows_task_in("SUCCESS")
    await console.assert_clean()


async def test_filtering_by_state_kind_and_time(
    console: Console, api: aiohttp.ClientSession, system: System
) -> None:
    pending = await unrun(system, console.account)
    await task_done(api, await create(api, "Filtered"))
    page = console.page
    await page.check("#task-filters input[value=PENDING]")
    await page.fill("#task-filters input[name=kind]", "project.submit")
    await page.click("#task-filters button[type=submit]")
    rows = page.locator("tbody tr[data-task-id]")
    await expect(rows).to_have_count(1)
    assert await rows.get_attribute("data-task-id") == pending
    await page.fill("#task-filters input[name=since]", "2099-01-01T00:00:00")  # UTC
    await page.click("#task-filters button[type=submit]")
    await expect(page.locator(".list .empty")).to_have_text("No task matches.")
    await expect(page.locator(".list .status-line")).to_have_text("0 tasks")  # not a 422
    await console.assert_clean()


async def test_more_follows_the_next_cursor_to_the_last_page(
    console: Console, system: System
) -> None:
    made = [await unrun(system, console.account) for _ in range(60)]  # a page is 50
    page = console.page
    await page.click("#task-filters button[type=submit]")
    rows = page.locator("tbody tr[data-task-id]")
    await expect(rows).to_have_count(50)
    more = page.locator(".list button", has_text="More")
    await more.click()
    await expect(rows).to_have_count(60)
    await expect(more).to_be_hidden()
    listed = [await row.get_attribute("data-task-id") for row in await rows.all()]
    assert len(listed) == 60 and set(listed) == set(made)  # each once
    await console.assert_clean()


async def test_a_pending_task_is_cancelled_and_a_final_one_cannot_be(
    console: Console, system: System
) -> None:
    task_id = await unrun(system, console.account)
    page = console.page
    await console.open(f"tasks/{task_id}")
    detail = page.locator("#task-detail")
    await console.shows_task_in("PENDING")
    await detail.locator("#cancel-task").click()
    await expect(detail.locator(".notice-ok")).to_contain_text("Cancelled")
    await console.shows_task_in("REVOKED")
    await expect(detail.locator("#cancel-task")).to_be_disabled()
    async with client(system, console.headers) as api:
        status, _, _ = await call(api, "DELETE", f"/tasks/{task_id}")
    assert status == 409
    await console.assert_clean()


async def publish_invalid(system: System, account: str, name: str) -> str:
    """A create with no customer, as a buggy client of the broker might send: project-service
    fails its task and dead-letters it. Its task id."""
    task_id = str(uuid4())
    await system.services["projects"].status.create(task_id, "project.create", account, "ops")
    await publish_raw(
        system, "project.create", orjson.dumps({"name": name}), task_id=task_id,
        message_id=str(uuid4()), headers={"x-apex-account": account, "x-apex-actor": "ops"},
    )  # fmt: skip
    return task_id


async def park(system: System, account: str, body: bytes, reason: str) -> tuple[str, str]:
    """A project command in the dead letters as a service leaves it there (a task PENDING, for
    the replay to run): the message id and task id."""
    message_id, task_id = str(uuid4()), str(uuid4())
    await system.services["projects"].status.create(task_id, "project.create", account, "ops")
    connection = await aio_pika.connect(system.settings.amqp_url)
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        exchange = await channel.get_exchange(t.DEAD_EXCHANGE)
        headers = {
            t.HEADER_ACCOUNT: account,
            t.HEADER_ACTOR: "ops",
            t.HEADER_ERROR: reason,
            t.HEADER_QUEUE: t.PROJECT_COMMANDS_QUEUE,
            t.HEADER_ROUTING_KEY: "project.create",
        }
        await exchange.publish(
            aio_pika.Message(
                body,
                message_id=message_id,
                correlation_id=task_id,
                headers=headers,
                content_type="application/json",
                delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
            ),
            "project.create",
        )
    return message_id, task_id


async def test_a_dead_letter_is_inspected_as_text_and_replayed_until_handled(
    console: Console, api: aiohttp.ClientSession, system: System
) -> None:
    invalid = await publish_invalid(system, console.account, HOSTILE)
    assert (await task_done(api, invalid))["state"] == "FAILURE"
    project_id = str(uuid4())
    fixed = orjson.dumps({"project_id": project_id, "name": "Replayed sign", "customer": "Acme"})
    parked, parked_task = await park(
        system, console.account, fixed, "out of attempts: PostgreSQL was restarting"
    )
    page = console.page
    await console.open("dead-letters")
    rows = page.locator("tbody tr[data-id]")
    await expect(rows).to_have_count(2)
    await page.locator("tbody tr[data-id]", has_text="customer").click()
    detail = page.locator("#dead-letter-detail")
    await expect(detail.locator("pre.json")).to_contain_text(HOSTILE)
    await expect(detail).to_contain_text(t.HEADER_ERROR)
    await expect(detail).to_contain_text(t.PROJECT_COMMANDS_QUEUE)  # replayable once fixed
    await expect(detail.locator("#replay-one")).to_be_enabled()
    await console.shot("dead-letters")
    await page.fill("#dead-letter-filters input[name=reason]", "out of attempts")
    await page.click("#dead-letter-filters button[type=submit]")
    await expect(rows).to_have_count(1)
    await rows.click()
    await expect(detail).to_contain_text("Replayed sign")
    await expect(detail).to_contain_text(t.PROJECT_COMMANDS_QUEUE)
    await detail.locator("#replay-one").click()
    await expect(page.locator(".outcome .notice-ok")).to_contain_text(f"{parked} → ")
    await expect(rows).to_have_count(0)
    assert (await task_done(api, parked_task))["state"] == "SUCCESS"  # handled this time
    status, project, _ = await call(api, "GET", f"/projects/{project_id}")
    assert status == 200 and project["result"]["name"] == "Replayed sign"
    await console.assert_clean()


async def test_replay_all_asks_once_more_then_replays_the_accounts_dead_letters(
    console: Console, api: aiohttp.ClientSession, system: System
) -> None:
    tasks = []
    for _ in range(2):
        body = orjson.dumps({"project_id": str(uuid4()), "name": "Again", "customer": "Acme"})
        tasks.append((await park(system, console.account, body, "out of attempts: gone"))[1])
    page = console.page
    await console.open("dead-letters")
    await expect(page.locator("tbody tr[data-id]")).to_have_count(2)
    replay_all = page.locator("#replay-all")
    await replay_all.click()
    await expect(replay_all).to_contain_text("?")  # armed: nothing sent yet
    await expect(page.locator("tbody tr[data-id]")).to_have_count(2)
    await replay_all.click()
    await expect(page.locator(".outcome .notice-ok")).to_contain_text("Replayed 2")
    await expect(page.locator("tbody tr[data-id]")).to_have_count(0)
    for task_id in tasks:
        assert (await task_done(api, task_id))["state"] == "SUCCESS"
    await console.assert_clean()


async def test_health_shows_each_service_and_queue(console: Console) -> None:
    page = console.page
    await console.open("health")
    await expect(page.locator(f"tr[data-queue='{t.PROJECT_COMMANDS_QUEUE}']")).to_be_visible()
    services = page.locator("tr[data-service]")
    assert await services.count() >= 5
    await expect(page.locator("tr[data-service='project-service'] .badge")).to_have_text("ready")
    await expect(page.locator(".card").first).to_contain_text("Services ready")
    await console.shot("health")
    await console.assert_clean()


async def test_audit_verify_says_the_accounts_chain_holds(
    console: Console, api: aiohttp.ClientSession
) -> None:
    await task_done(api, await create(api, "Audited sign"))
    for _ in range(200):  # the audit log is written from the events, a moment later
        _, answer, _ = await call(api, "GET", "/audit/verify")
        if answer["result"]["entries"] >= 2:
            break
        await asyncio.sleep(0.05)
    page = console.page
    await console.open("audit")
    await page.click("#verify-audit")
    verdict = page.locator("#audit-verdict")
    await expect(verdict).to_contain_text("verified")
    await expect(page.locator(".audit-result")).to_contain_text(console.account)
    await console.shot("audit")
    await console.assert_clean()
