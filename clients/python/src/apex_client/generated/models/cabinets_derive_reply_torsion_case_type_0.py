from enum import StrEnum


class CabinetsDeriveReplyTorsionCaseType0(StrEnum):
    B = "B"
    C = "C"

    def __str__(self) -> str:
        return str(self.value)
