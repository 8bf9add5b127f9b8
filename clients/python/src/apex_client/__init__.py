"""The APEX gateway's Python client.

`apex_client.generated` is generated from the gateway's OpenAPI document (`make clients`): a
module per operation under `generated.api.default` (`sync`, `sync_detailed`, `asyncio`,
`asyncio_detailed`) and the models under `generated.models`. Written by hand: `connect`,
`wait_for_task` and `verify_webhook_signature`.
"""

from .connection import ApexError, connect
from .tasks import FINAL_STATES, TaskTimeoutError, wait_for_task
from .webhooks import (
    DEFAULT_TOLERANCE_S,
    EVENT_ID_HEADER,
    SIGNATURE_HEADER,
    verify_webhook_signature,
    webhook_signature,
)

__all__ = [
    "DEFAULT_TOLERANCE_S",
    "EVENT_ID_HEADER",
    "FINAL_STATES",
    "SIGNATURE_HEADER",
    "ApexError",
    "TaskTimeoutError",
    "connect",
    "verify_webhook_signature",
    "wait_for_task",
    "webhook_signature",
]
