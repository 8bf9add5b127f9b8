"""apex_contracts: the messages, names on the wire and documents every service shares."""

from importlib.resources import files

# The AsyncAPI document of every command, query and event (package data, `make asyncapi`)
ASYNCAPI_DOCUMENT = files(__name__) / "asyncapi.yaml"
