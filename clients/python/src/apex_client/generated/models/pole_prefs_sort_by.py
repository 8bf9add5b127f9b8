from enum import StrEnum


class PolePrefsSortBy(StrEnum):
    DEPTH = "depth"
    UTILIZATION = "utilization"
    WEIGHT = "weight"

    def __str__(self) -> str:
        return str(self.value)
