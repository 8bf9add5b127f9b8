"""The clients' waits for a task, against a scripted gateway: each answer in turn, as the
gateway's `GET /tasks/{task_id}?wait=N` gives them (README's examples run them for real)."""

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from uuid import uuid4

import httpx
import pytest

from apex_client import ApexError, TaskTimeoutError, wait_for_task
from apex_client.generated.client import AuthenticatedClient

from .sdk import TYPESCRIPT, build_typescript, run

TASK_ID = str(uuid4())
AT = "2026-12-07T12:00:00Z"


def _task(state: str, **extra: Any) -> dict[str, Any]:
    task = {"task_id": TASK_ID, "kind": "project.create", "state": state, "created_at": AT}
    return {**task, "updated_at": AT, **extra}


def _envelope(result: Any, errors: list[dict[str, str]] | None = None) -> dict[str, Any]:
    meta = {"assumptions": [], "confidence": 1.0, "trace": {"trace_id": None}}
    return {"result": result, "errors": errors or [], **meta}


@dataclass(frozen=True)
class Answer:
    status: int
    body: dict[str, Any]
    headers: tuple[tuple[str, str], ...] = ()


PENDING = Answer(200, _envelope(_task("PENDING")))
STARTED = Answer(200, _envelope(_task("STARTED")))
SUCCESS = Answer(200, _envelope(_task("SUCCESS", result={"project_id": "p1"})))
FAILED = Answer(200, _envelope(_task("FAILURE", error={"code": "conflict", "message": "taken"})))
BUSY = Answer(503, _envelope(None, [{"field": "", "message": "busy", "type": "busy"}]),
              (("Retry-After", "0"),))  # fmt: skip
NOT_FOUND = Answer(404, _envelope(None, [{"field": "", "message": "no", "type": "not_found"}]))

# name: (the gateway's answers in turn, the last repeated; what the wait ends with)
SCRIPTS = {
    "final after changes": ((PENDING, STARTED, SUCCESS), "SUCCESS"),
    "a failure is returned": ((PENDING, FAILED), "FAILURE"),
    "a busy gateway is waited out": ((BUSY, PENDING, BUSY, SUCCESS), "SUCCESS"),
    "an error answer raises": ((PENDING, NOT_FOUND), "error 404 not_found"),
    "time runs out": ((PENDING,), "timeout PENDING"),
}


def _python_outcome(answers: tuple[Answer, ...]) -> tuple[str, list[str]]:
    """What `wait_for_task` ends with, and the `wait` each request asked for."""
    waits: list[str] = []

    def gateway(request: httpx.Request) -> httpx.Response:
        assert request.url.path == f"/tasks/{TASK_ID}"
        assert request.headers["Authorization"] == "Bearer token"
        waits.append(request.url.params["wait"])
        answer = answers[min(len(waits), len(answers)) - 1]
        return httpx.Response(answer.status, json=answer.body, headers=list(answer.headers))

    transport = {"transport": httpx.MockTransport(gateway)}
    client = AuthenticatedClient("http://apex.test", token="token", httpx_args=transport)
    try:
        return wait_for_task(client, TASK_ID, timeout_s=0.3).state.value, waits
    except ApexError as exc:
        return f"error {exc.status} {exc.errors[0]['type']}", waits
    except TaskTimeoutError as exc:
        return f"timeout {exc.task.state.value}", waits


@pytest.mark.parametrize("name", SCRIPTS)
def test_python_wait_for_task(name: str) -> None:
    answers, expected = SCRIPTS[name]
    outcome, waits = _python_outcome(answers)
    assert outcome == expected
    assert float(waits[0]) == 0  # the first read does not wait: the task may be final already
    assert all(0 <= float(wait) <= 30 for wait in waits)
    if expected == "SUCCESS" and answers[0] is PENDING:
        assert float(waits[1]) > 0  # then each read waits for the next change


WAIT_IN_NODE = """
import { readFileSync } from "node:fs";
import { ApexError, TaskTimeoutError, createApexClient, waitForTask } from "%s";
const { taskId, scripts } = JSON.parse(readFileSync(0, "utf8"));
const outcomes = {};
for (const [name, answers] of Object.entries(scripts)) {
  const waits = [];
  const fetch = async (request) => {
    const url = new URL(request.url);
    if (url.pathname !== `/tasks/${taskId}`) throw new Error(`asked for ${url.pathname}`);
    if (request.headers.get("Authorization") !== "Bearer token") throw new Error("no token");
    waits.push(url.searchParams.get("wait"));
    const answer = answers[Math.min(waits.length, answers.length) - 1];
    const headers = { "Content-Type": "application/json", ...Object.fromEntries(answer.headers) };
    return new Response(JSON.stringify(answer.body), { status: answer.status, headers });
  };
  const apex = createApexClient({ baseUrl: "http://apex.test", token: "token", fetch });
  let outcome;
  try {
    outcome = (await waitForTask(apex, taskId, { timeoutSeconds: 0.3 })).state;
  } catch (error) {
    if (error instanceof ApexError) outcome = `error ${error.status} ${error.errors[0].type}`;
    else if (error instanceof TaskTimeoutError) outcome = `timeout ${error.task.state}`;
    else throw error;
  }
  outcomes[name] = { outcome, waits };
}
console.log(JSON.stringify(outcomes));
"""


@pytest.fixture(scope="module")
def typescript_outcomes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Every script through the compiled TypeScript `waitForTask`, in one node process."""
    build_typescript()
    script = Path(tmp_path_factory.mktemp("wait")) / "wait.mjs"
    script.write_text(WAIT_IN_NODE % (TYPESCRIPT / "dist" / "index.js").as_uri())
    scripts = {
        name: [{"status": a.status, "body": a.body, "headers": a.headers} for a in answers]
        for name, (answers, _) in SCRIPTS.items()
    }
    done = run(["node", str(script)], input=json.dumps({"taskId": TASK_ID, "scripts": scripts}))
    outcomes: dict[str, Any] = json.loads(done.stdout)
    return outcomes


@pytest.mark.parametrize("name", SCRIPTS)
def test_typescript_wait_for_task(typescript_outcomes: dict[str, Any], name: str) -> None:
    answers, expected = SCRIPTS[name]
    waits = [float(wait) for wait in typescript_outcomes[name]["waits"]]
    assert typescript_outcomes[name]["outcome"] == expected
    assert waits[0] == 0
    assert all(0 <= wait <= 30 for wait in waits)
    if expected == "SUCCESS" and answers[0] is PENDING:
        assert waits[1] > 0
