from enum import StrEnum


class CabinetsDeriveReplyMomentCaseType0(StrEnum):
    A = "A"
    C = "C"

    def __str__(self) -> str:
        return str(self.value)
