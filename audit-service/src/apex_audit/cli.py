"""`apex audit verify [--account A]`: ask audit-service to recompute the hash chains.

Prints one JSON line per account (`{"verified", "entries", "head_sequence", "head_hash",
"broken_at", ...}`); exits 0 when every account verified, 1 when one did not, 2 when
audit-service could not be asked.
"""

import argparse
import asyncio
import sys
from typing import TYPE_CHECKING, Any

import orjson

from apex_contracts import audit as a
from apex_contracts import topology as t
from apex_contracts.base import Message

if TYPE_CHECKING:
    from apex_runtime.amqp_client import BrokerClient

VERIFY_TIMEOUT_S = 60.0  # per chunk of the chain (a quarter of a million entries by default)


def add_parser(subparsers: Any) -> None:
    """Register `audit verify` on the `apex` command's subparsers (an `apex.cli` plugin)."""
    audit = subparsers.add_parser("audit", help="the audit log").add_subparsers(
        dest="action", required=True
    )
    verify = audit.add_parser(
        "verify", help="recompute hash chains and check every signed checkpoint"
    )
    verify.add_argument("--account", help="verify one account (default: every account)")
    verify.add_argument(
        "--timeout", type=float, default=VERIFY_TIMEOUT_S, help="seconds per chunk of a chain"
    )
    verify.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    return asyncio.run(_verify_command(args.account, args.timeout))


async def _verify_command(account: str | None, timeout_s: float) -> int:
    from apex_runtime.amqp_client import BrokerClient, BrokerUnavailable, QueryTimeout
    from apex_runtime.settings import get_settings

    client = BrokerClient(get_settings().amqp_url, name="apex-cli")
    try:
        await client.connect()
        accounts = [account] if account is not None else await list_accounts(client, timeout_s)
        verified = True
        for name in accounts:
            result = await verify_account(client, name, timeout_s)
            verified = verified and bool(result["verified"])
            print(orjson.dumps(result).decode(), flush=True)
    except (BrokerUnavailable, QueryTimeout, QueryFailed) as exc:
        print(f"apex audit verify: {exc}", file=sys.stderr)
        return 2
    finally:
        await client.close()
    return 0 if verified else 1


class QueryFailed(Exception):
    """audit-service answered with an error."""


async def _ask(
    client: "BrokerClient", routing_key: str, query: Message, account: str, timeout_s: float
) -> Any:
    reply = await client.query(
        routing_key,
        query.model_dump_json().encode(),
        headers={t.HEADER_ACCOUNT: account, t.HEADER_ACTOR: "apex-cli"},
        timeout_s=timeout_s,
    )
    if not reply.ok:
        raise QueryFailed(f"{routing_key}: {reply.error.message if reply.error else reply}")
    return reply.result


async def list_accounts(client: "BrokerClient", timeout_s: float) -> list[str]:
    """Every account the audit log holds entries of."""
    result = await _ask(client, t.AUDIT_ACCOUNTS, a.ListAuditAccounts(), "", timeout_s)
    return list(a.AuditAccounts.model_validate(result).accounts)


async def verify_account(client: "BrokerClient", account: str, timeout_s: float) -> dict[str, Any]:
    """The whole chain of `account`, verified chunk by chunk (`audit.verify`)."""
    query = a.VerifyAudit()
    total: a.AuditVerification | None = None
    while True:
        result = await _ask(client, t.AUDIT_VERIFY, query, account, timeout_s)
        part = a.AuditVerification.model_validate(result)
        total = part if total is None else total.followed_by(part)
        if part.complete:
            return total.model_dump(mode="json")
        query = a.VerifyAudit(after_sequence=part.head_sequence, after_hash=part.head_hash)
