from enum import StrEnum


class PoleOptionFamily(StrEnum):
    HSS_RECT = "hss_rect"
    HSS_ROUND = "hss_round"
    HSS_SQUARE = "hss_square"
    PIPE = "pipe"

    def __str__(self) -> str:
        return str(self.value)
