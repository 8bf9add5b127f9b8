from enum import StrEnum


class SinglePoleDesignRequestMaterial(StrEnum):
    ALUMINUM = "aluminum"
    STEEL = "steel"

    def __str__(self) -> str:
        return str(self.value)
