"""notification-service wiring. It consumes nothing yet: it starts, reports healthy and waits."""

from apex_runtime.service import ServiceRuntime
from apex_runtime.settings import Settings

SERVICE = "notification-service"


def build(settings: Settings) -> ServiceRuntime:
    return ServiceRuntime(SERVICE, settings, settings.notification_port, with_db=False)
