"""The AsyncAPI document of every installed service, written by `make asyncapi` to
contracts/src/apex_contracts/asyncapi.yaml: package data, which the gateway serves at
`/asyncapi.yaml` and `/asyncapi.json`."""

from importlib.metadata import entry_points

import yaml
from faststream.specification import AsyncAPI

from .settings import Settings

ENTRY_POINT_GROUP = "apex.services"
# Publishers that are not services (the gateway): each entry point returns a broker that only
# describes what it publishes.
SPEC_ENTRY_POINT_GROUP = "apex.asyncapi"
DOCUMENTED_SERVER = "amqp://guest:guest@127.0.0.1:5672/"


def document() -> str:
    """YAML of all services' channels and messages, built from their wiring (nothing connects)."""
    settings = Settings(amqp_url=DOCUMENTED_SERVER)  # the same document whatever the environment
    builds = sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda ep: ep.name)
    brokers = [broker for ep in builds for broker in ep.load()(settings).documented]
    described = sorted(entry_points(group=SPEC_ENTRY_POINT_GROUP), key=lambda ep: ep.name)
    brokers += [ep.load()(settings) for ep in described]
    spec = AsyncAPI(
        *brokers,
        title="APEX",
        version="1",
        description="Commands, queries and events of the APEX services over RabbitMQ.",
    )
    # FastStream's channel order follows set iteration; sorted keys make the file stable.
    text: str = yaml.safe_dump(
        spec.to_specification().to_jsonable(), sort_keys=True, allow_unicode=True
    )
    return text


if __name__ == "__main__":
    print(document(), end="")
