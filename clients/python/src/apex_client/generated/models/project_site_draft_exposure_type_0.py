from enum import StrEnum


class ProjectSiteDraftExposureType0(StrEnum):
    B = "B"
    C = "C"
    D = "D"

    def __str__(self) -> str:
        return str(self.value)
