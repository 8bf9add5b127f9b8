"""The clients' webhook verifiers accept what notification-service signs and nothing else: the
same cases run through `apex_client.verify_webhook_signature`, the TypeScript client's
`verifyWebhookSignature` (compiled, under node) and notification-service's own `verify`."""

import base64
import json
from dataclasses import asdict, dataclass
from pathlib import Path

import pytest

from apex_client import verify_webhook_signature, webhook_signature
from apex_notifications import signing

from .sdk import TYPESCRIPT, build_typescript, run

SECRET = "whsec_3f9c1b7e"
BODY = b'{"event":"project.submitted","data":{"project_id":"6f1c","name":"Main St pylon \xc3\xa9"}}'
SIGNED_AT = 1_796_000_000  # 2026-12-01


@dataclass(frozen=True)
class Case:
    name: str
    header: str
    body: bytes = BODY
    secret: str = SECRET
    now: float = SIGNED_AT + 10
    tolerance_s: int = signing.DEFAULT_TOLERANCE_S
    valid: bool = False


def _cases() -> list[Case]:
    header = signing.signature_header(SECRET, BODY, SIGNED_AT)  # what a delivery carries
    v1 = signing.signature(SECRET, BODY, SIGNED_AT)
    return [
        Case("valid", header, valid=True),
        Case("valid, signed just now", header, now=SIGNED_AT, valid=True),
        Case("valid, at the edge of the tolerance", header, now=SIGNED_AT + 300, valid=True),
        Case("valid, spaces after the comma", f"t={SIGNED_AT}, v1={v1}", valid=True),
        Case("valid, a second v1 (a rotated secret)", f"t={SIGNED_AT},v1={'0' * 64},v1={v1}",
             valid=True),
        Case("valid, a wider tolerance", header, now=SIGNED_AT + 3600, tolerance_s=7200,
             valid=True),
        Case("tampered body", header, body=BODY.replace(b"pylon", b"pylon!")),
        Case("wrong secret", header, secret="whsec_other"),
        Case("stale timestamp", header, now=SIGNED_AT + 301),
        Case("timestamp in the future", header, now=SIGNED_AT - 301),
        Case("timestamp moved, signature kept", f"t={SIGNED_AT + 5},v1={v1}"),
        Case("empty header", ""),
        Case("no timestamp", f"v1={v1}"),
        Case("no signature", f"t={SIGNED_AT}"),
        Case("timestamp not a number", f"t=soon,v1={v1}"),
        Case("signature cut short", f"t={SIGNED_AT},v1={v1[:-2]}"),
        Case("signature in capitals", f"t={SIGNED_AT},v1={v1.upper()}"),
        Case("another scheme only", f"t={SIGNED_AT},v0={v1}"),
        Case("not key=value", "garbage"),
    ]  # fmt: skip


CASES = _cases()


def test_the_python_client_signs_as_notification_service_does() -> None:
    assert webhook_signature(SECRET, BODY, SIGNED_AT) == signing.signature(SECRET, BODY, SIGNED_AT)


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_python_verifier(case: Case) -> None:
    assert (
        signing.verify(
            case.secret, case.header, case.body, now=case.now, tolerance_s=case.tolerance_s
        )
        is case.valid
    ), "the case itself is wrong: notification-service's verify disagrees"
    assert (
        verify_webhook_signature(
            case.secret, case.header, case.body, now=case.now, tolerance_s=case.tolerance_s
        )
        is case.valid
    )


VERIFY_IN_NODE = """
import { readFileSync } from "node:fs";
import { verifyWebhookSignature, webhookSignature } from "%s";
const { cases, secret, body, signedAt } = JSON.parse(readFileSync(0, "utf8"));
const verdicts = cases.map((c) => verifyWebhookSignature(c.secret, c.header,
  Buffer.from(c.body, "base64"), { now: c.now, toleranceSeconds: c.tolerance_s }));
const signature = webhookSignature(secret, Buffer.from(body, "base64"), signedAt);
console.log(JSON.stringify({ verdicts, signature }));
"""


def _base64(data: bytes) -> str:
    return base64.b64encode(data).decode()


@pytest.fixture(scope="module")
def typescript_verdicts(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """Every case through the compiled TypeScript verifier, in one node process."""
    build_typescript()
    script = Path(tmp_path_factory.mktemp("verify")) / "verify.mjs"
    script.write_text(VERIFY_IN_NODE % (TYPESCRIPT / "dist" / "webhooks.js").as_uri())
    cases = [{**asdict(case), "body": _base64(case.body)} for case in CASES]
    payload = {"cases": cases, "secret": SECRET, "body": _base64(BODY), "signedAt": SIGNED_AT}
    done = run(["node", str(script)], input=json.dumps(payload))
    answer: dict[str, object] = json.loads(done.stdout)
    return answer


def test_the_typescript_client_signs_as_notification_service_does(
    typescript_verdicts: dict[str, object],
) -> None:
    assert typescript_verdicts["signature"] == signing.signature(SECRET, BODY, SIGNED_AT)


@pytest.mark.parametrize("index", range(len(CASES)), ids=[case.name for case in CASES])
def test_typescript_verifier(typescript_verdicts: dict[str, list[bool]], index: int) -> None:
    assert typescript_verdicts["verdicts"][index] is CASES[index].valid
