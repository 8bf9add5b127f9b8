from enum import StrEnum


class BrokenAtReason(StrEnum):
    BAD_SIGNATURE = "bad_signature"
    CHECKPOINT_MISMATCH = "checkpoint_mismatch"
    GAP = "gap"
    HASH_MISMATCH = "hash_mismatch"
    LINK_MISMATCH = "link_mismatch"
    TRUNCATED = "truncated"

    def __str__(self) -> str:
        return str(self.value)
