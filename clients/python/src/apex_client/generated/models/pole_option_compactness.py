from enum import StrEnum


class PoleOptionCompactness(StrEnum):
    COMPACT = "compact"
    NONCOMPACT = "noncompact"
    SLENDER = "slender"

    def __str__(self) -> str:
        return str(self.value)
