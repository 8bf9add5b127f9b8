"""The load: a mixed stream of commands, each retried with its Idempotency-Key until accepted."""

import asyncio
import random
import time
from dataclasses import dataclass, field
from uuid import uuid4

import aiohttp

FINAL = {"SUCCESS", "FAILURE", "REVOKED"}


@dataclass
class Accepted:
    kind: str  # create | update | payload
    project_id: str
    task_id: str
    accepted_at: float
    unknown: bool = False  # answered 504 `outcome_unknown`: sent, not confirmed in time


@dataclass
class Ledger:
    accepted: list[Accepted] = field(default_factory=list)
    live_projects: list[str] = field(default_factory=list)  # creates known to have succeeded
    refused: int = 0  # answers that were not an acceptance (503, connection refused, …), retried


class Driver:
    def __init__(self, base_url: str, token: str) -> None:
        self.base_url = base_url
        self.headers = {"Authorization": f"Bearer {token}"}
        self.ledger = Ledger()

    async def command(
        self,
        session: aiohttp.ClientSession,
        method: str,
        path: str,
        body: dict[str, object] | None,
        *,
        kind: str,
        project_id: str | None = None,
        give_up_at: float,
    ) -> Accepted | None:
        """Send until accepted (202) or answered with an unknown outcome (504 naming its task,
        followed like an acceptance), retrying through outages with the same key."""
        headers = {**self.headers, "Idempotency-Key": str(uuid4())}
        if method == "PUT":
            headers["If-Match"] = "*"
        while time.monotonic() < give_up_at:
            try:
                async with session.request(
                    method,
                    self.base_url + path,
                    json=body,
                    headers=headers,
                    timeout=aiohttp.ClientTimeout(total=10),
                ) as response:
                    answer = await response.json(content_type=None)
                    unknown = response.status == 504 and _outcome_unknown(answer)
                    if response.status == 202 or unknown:
                        result = answer["result"]
                        accepted = Accepted(
                            kind,
                            project_id or result["project_id"],
                            result["task_id"],
                            time.monotonic(),
                            unknown=unknown,
                        )
                        self.ledger.accepted.append(accepted)
                        return accepted
            except (aiohttp.ClientError, TimeoutError, ValueError):
                pass
            self.ledger.refused += 1
            await asyncio.sleep(0.2 + random.random() * 0.3)
        return None

    async def client(self, until: float) -> None:
        watchers: list[asyncio.Task[None]] = []
        async with aiohttp.ClientSession() as session:
            while time.monotonic() < until:
                projects = self.ledger.live_projects
                roll = random.random()
                give_up_at = until + 90  # past the in-flight lease of a killed gateway
                if not projects or roll < 0.4:
                    body = {"name": f"chaos-{uuid4().hex[:8]}", "customer": "Chaos Co"}
                    accepted = await self.command(
                        session, "POST", "/projects", body, kind="create", give_up_at=give_up_at
                    )
                    if accepted is not None:
                        watchers.append(asyncio.create_task(self._note_live(session, accepted)))
                elif roll < 0.7:
                    project = random.choice(projects)
                    body = {"name": f"chaos-upd-{uuid4().hex[:6]}", "customer": "Chaos Co"}
                    await self.command(
                        session,
                        "PUT",
                        f"/projects/{project}",
                        body,
                        kind="update",
                        project_id=project,
                        give_up_at=give_up_at,
                    )
                else:
                    project = random.choice(projects)
                    body = {"module": "signage.single_pole", "config": {"n": random.random()}}
                    await self.command(
                        session,
                        "POST",
                        f"/projects/{project}/payload",
                        body,
                        kind="payload",
                        project_id=project,
                        give_up_at=give_up_at,
                    )
                await asyncio.sleep(0.02)
            for watcher in watchers:
                watcher.cancel()
            await asyncio.gather(*watchers, return_exceptions=True)

    async def _note_live(self, session: aiohttp.ClientSession, accepted: Accepted) -> None:
        state = await self.final_state(session, accepted.task_id, deadline_s=120)
        if state == "SUCCESS":
            self.ledger.live_projects.append(accepted.project_id)

    async def task(self, session: aiohttp.ClientSession, task_id: str) -> dict[str, object] | None:
        try:
            async with session.get(
                f"{self.base_url}/tasks/{task_id}",
                headers=self.headers,
                timeout=aiohttp.ClientTimeout(total=10),
            ) as response:
                if response.status == 200:
                    body = await response.json()
                    return body["result"]  # type: ignore[no-any-return]
        except (aiohttp.ClientError, TimeoutError, ValueError):
            pass
        return None

    async def final_state(
        self, session: aiohttp.ClientSession, task_id: str, deadline_s: float
    ) -> str | None:
        deadline = time.monotonic() + deadline_s
        while time.monotonic() < deadline:
            task = await self.task(session, task_id)
            if task is not None and task["state"] in FINAL:
                return str(task["state"])
            await asyncio.sleep(0.25)
        return None

    async def probe(self, deadline_s: float = 120) -> float:
        """Seconds until a new create goes all the way through (the recovery time)."""
        started = time.monotonic()
        async with aiohttp.ClientSession() as session:
            body = {"name": f"probe-{uuid4().hex[:8]}", "customer": "Probe"}
            accepted = await self.command(
                session, "POST", "/projects", body, kind="probe", give_up_at=started + deadline_s
            )
            if accepted is None:
                return float("inf")
            self.ledger.accepted.remove(accepted)  # probes are measured, not audited
            await self.final_state(session, accepted.task_id, deadline_s)
        return time.monotonic() - started


def _outcome_unknown(answer: dict[str, object]) -> bool:
    errors = answer.get("errors")
    return isinstance(errors, list) and any(
        isinstance(e, dict) and e.get("type") == "outcome_unknown" for e in errors
    )
