from enum import StrEnum


class FootingSolveReplyMethod(StrEnum):
    CONSTRAINED = "constrained"
    NONCONSTRAINED = "nonconstrained"

    def __str__(self) -> str:
        return str(self.value)
