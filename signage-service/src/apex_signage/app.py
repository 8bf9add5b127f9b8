"""signage-service wiring. It consumes nothing yet: it starts, reports healthy and waits."""

from apex_runtime.service import ServiceRuntime
from apex_runtime.settings import Settings

SERVICE = "signage-service"


def build(settings: Settings) -> ServiceRuntime:
    return ServiceRuntime(SERVICE, settings, settings.signage_port, with_db=False)
