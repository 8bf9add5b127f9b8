"""Task reports wait, in order, while Redis is unreachable."""

import pytest
from redis.exceptions import ConnectionError as RedisConnectionError

from apex_runtime.availability import is_unavailable
from apex_runtime.tasks import ReportBacklog


async def test_reports_wait_in_order_until_redis_answers() -> None:
    backlog = ReportBacklog()
    written: list[str] = []
    down = True

    async def write(what: str) -> str:
        if down:
            raise RedisConnectionError("connection refused")
        written.append(what)
        return what

    assert await backlog.report(write, "STARTED") is None
    assert await backlog.report(write, "SUCCESS") is None  # queued behind, even if Redis were up
    assert len(backlog) == 2
    down = False
    while len(backlog):
        call, args = backlog._pending[0]
        await call(*args)
        backlog._pending.pop(0)
    assert written == ["STARTED", "SUCCESS"]
    assert await backlog.report(write, "next") == "next"


@pytest.mark.parametrize(
    ("exc", "unavailable"),
    [
        (ConnectionRefusedError(), True),
        (TimeoutError(), True),
        (RedisConnectionError(), True),
        (ValueError("bad data"), False),
        (KeyError("bug"), False),
    ],
)
def test_unavailable_means_a_dependency_not_a_bug(exc: BaseException, unavailable: bool) -> None:
    assert is_unavailable(exc) is unavailable


def test_unavailable_looks_at_the_cause() -> None:
    try:
        try:
            raise ConnectionResetError("peer went away")
        except ConnectionResetError as inner:
            raise RuntimeError("query failed") from inner
    except RuntimeError as outer:
        assert is_unavailable(outer)
