"""Asking signage-service for the single-pole design; the package renders whatever the answer."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any, Protocol

from pydantic import ValidationError

from apex_contracts import topology as t
from apex_contracts.queries import QueryReply
from apex_contracts.signage import SinglePoleDesignReply
from apex_runtime.amqp_client import BrokerUnavailable, QueryTimeout

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DesignAnswer:
    """signage-service's reply, or None and a sentence the package prints instead."""

    reply: SinglePoleDesignReply | None
    notice: str | None = None


class DesignSource(Protocol):
    async def design(self, config: dict[str, Any], account: str, actor: str) -> DesignAnswer: ...


class Querier(Protocol):
    async def query(
        self, routing_key: str, body: bytes, *, headers: dict[str, Any], timeout_s: float
    ) -> QueryReply: ...


class SignageDesign:
    """`signage.single_pole.design` over the broker (many requests in flight); never raises."""

    def __init__(self, client: Querier, timeout_s: float) -> None:
        self.client = client
        self.timeout_s = timeout_s

    async def design(self, config: dict[str, Any], account: str, actor: str) -> DesignAnswer:
        try:
            answer = await self.client.query(
                t.SIGNAGE_SINGLE_POLE_DESIGN,
                json.dumps(config).encode(),
                headers={t.HEADER_ACCOUNT: account, t.HEADER_ACTOR: actor},
                timeout_s=self.timeout_s,
            )
        except QueryTimeout:
            return DesignAnswer(None, f"signage-service did not answer in {self.timeout_s:g} s")
        except (BrokerUnavailable, ConnectionError, OSError) as exc:
            log.warning("signage design query failed: %r", exc)
            return DesignAnswer(None, "the message broker could not reach signage-service")
        return interpret(answer)


def interpret(answer: QueryReply) -> DesignAnswer:
    """A query reply as a design, or the reason it is not one."""
    if not answer.ok:
        error = answer.error
        why = f"{error.code.value}: {error.message}" if error else "no reason given"
        return DesignAnswer(None, f"signage-service refused the design ({why[:300]})")
    try:
        return DesignAnswer(SinglePoleDesignReply.model_validate(answer.result))
    except ValidationError:
        return DesignAnswer(None, "signage-service answered with something that is not a design")
