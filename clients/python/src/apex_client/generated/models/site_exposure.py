from enum import StrEnum


class SiteExposure(StrEnum):
    B = "B"
    C = "C"
    D = "D"

    def __str__(self) -> str:
        return str(self.value)
