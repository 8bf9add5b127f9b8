from enum import StrEnum


class SignLoadsTorsionCaseType0(StrEnum):
    B = "B"
    C = "C"

    def __str__(self) -> str:
        return str(self.value)
