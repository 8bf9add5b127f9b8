"""Domain errors: the codes a handler reports instead of raising into the broker."""

from apex_contracts.tasks import ErrorCode


class DomainError(Exception):
    """A request refused for a domain reason; the task ends FAILURE and the message is acked."""

    def __init__(self, code: ErrorCode, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class NotFound(DomainError):
    def __init__(self, message: str) -> None:
        super().__init__(ErrorCode.NOT_FOUND, message)


class VersionConflict(DomainError):
    def __init__(self, message: str) -> None:
        super().__init__(ErrorCode.VERSION_CONFLICT, message)


class Conflict(DomainError):
    def __init__(self, message: str) -> None:
        super().__init__(ErrorCode.CONFLICT, message)


class Invalid(DomainError):
    def __init__(self, message: str) -> None:
        super().__init__(ErrorCode.INVALID, message)
