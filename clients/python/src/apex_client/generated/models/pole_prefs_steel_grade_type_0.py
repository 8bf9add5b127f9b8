from enum import StrEnum


class PolePrefsSteelGradeType0(StrEnum):
    A1085 = "A1085"
    A500B = "A500B"
    A500C = "A500C"
    A53B = "A53B"

    def __str__(self) -> str:
        return str(self.value)
