"""`apex token` and `apex keys`: verbs the gateway adds to the `apex` command."""

import argparse
import asyncio
from collections.abc import Awaitable, Callable

from apex_runtime.db import make_engine
from apex_runtime.settings import get_settings

from .auth import mint_token
from .keys import ApiKeyStore
from .principal import ROLES


def register(verbs: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    token = verbs.add_parser("token", help="mint a development JWT from APEX_JWT_SECRET")
    token.add_argument("--account", required=True)
    token.add_argument("--sub", required=True)
    token.add_argument("--roles", default="engineer", help=f"comma-separated: {', '.join(ROLES)}")
    token.add_argument("--ttl", type=int, default=8 * 3600, help="lifetime in seconds")
    token.set_defaults(func=cmd_token)

    keys = verbs.add_parser("keys", help="API keys").add_subparsers(dest="action", required=True)
    create = keys.add_parser("create", help="create a key; it is printed once")
    create.add_argument("--account", required=True)
    create.add_argument("--name", required=True)
    create.add_argument("--roles", default="engineer")
    create.set_defaults(func=cmd_keys_create)
    listing = keys.add_parser("list", help="list keys (never their secrets)")
    listing.add_argument("--account")
    listing.set_defaults(func=cmd_keys_list)
    revoke = keys.add_parser("revoke", help="revoke a key by its id")
    revoke.add_argument("key_id")
    revoke.set_defaults(func=cmd_keys_revoke)


def _roles(value: str) -> list[str]:
    return [r.strip() for r in value.split(",") if r.strip()]


def cmd_token(args: argparse.Namespace) -> int:
    print(mint_token(get_settings(), args.account, args.sub, _roles(args.roles), args.ttl))
    return 0


async def _with_store(work: Callable[[ApiKeyStore], Awaitable[int]]) -> int:
    settings = get_settings()
    engine = make_engine(settings)
    try:
        return await work(ApiKeyStore(engine, settings.api_key_pepper.get_secret_value()))
    finally:
        await engine.dispose()


def cmd_keys_create(args: argparse.Namespace) -> int:
    async def work(store: ApiKeyStore) -> int:
        key, record = await store.create(args.account, args.name, _roles(args.roles))
        print(
            f"key id  {record.key_id}\naccount {record.account}\nroles   {','.join(record.roles)}"
        )
        print(f"key     {key}\n(shown once: store it now)")
        return 0

    return asyncio.run(_with_store(work))


def cmd_keys_list(args: argparse.Namespace) -> int:
    async def work(store: ApiKeyStore) -> int:
        for r in await store.list(args.account):
            state = f"revoked {r.revoked_at:%Y-%m-%d}" if r.revoked_at else "active"
            print(f"{r.key_id}  {r.account}  {r.name}  {','.join(r.roles)}  {state}")
        return 0

    return asyncio.run(_with_store(work))


def cmd_keys_revoke(args: argparse.Namespace) -> int:
    async def work(store: ApiKeyStore) -> int:
        if await store.revoke(args.key_id):
            print(f"revoked {args.key_id}")
            return 0
        print(f"no active key {args.key_id}")
        return 1

    return asyncio.run(_with_store(work))
