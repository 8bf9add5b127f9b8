"""The task state machine as docs/architecture.md states it."""

from apex_contracts.tasks import FINAL_STATES, TaskState, can_move


def test_pending_to_started_to_success() -> None:
    assert can_move(TaskState.PENDING, TaskState.STARTED)
    assert can_move(TaskState.STARTED, TaskState.SUCCESS)


def test_retry_goes_back_to_started() -> None:
    assert can_move(TaskState.STARTED, TaskState.RETRY)
    assert can_move(TaskState.RETRY, TaskState.STARTED)


def test_any_unfinished_state_can_be_revoked() -> None:
    for state in set(TaskState) - FINAL_STATES:
        assert can_move(state, TaskState.REVOKED)


def test_nothing_leaves_a_final_state() -> None:
    for final in FINAL_STATES:
        assert not any(can_move(final, target) for target in TaskState)
