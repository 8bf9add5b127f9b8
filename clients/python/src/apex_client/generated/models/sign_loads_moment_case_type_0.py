from enum import StrEnum


class SignLoadsMomentCaseType0(StrEnum):
    A = "A"
    C = "C"

    def __str__(self) -> str:
        return str(self.value)
