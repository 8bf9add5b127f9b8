from enum import StrEnum


class FootingResultMethod(StrEnum):
    CONSTRAINED = "constrained"
    NONCONSTRAINED = "nonconstrained"

    def __str__(self) -> str:
        return str(self.value)
