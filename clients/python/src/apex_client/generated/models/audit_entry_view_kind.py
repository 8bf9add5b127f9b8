from enum import StrEnum


class AuditEntryViewKind(StrEnum):
    COMMAND = "command"
    EVENT = "event"

    def __str__(self) -> str:
        return str(self.value)
