from enum import StrEnum


class GetProjectsStatusType0(StrEnum):
    APPROVED = "approved"
    CHANGES_REQUESTED = "changes_requested"
    DELETED = "deleted"
    DRAFT = "draft"
    SUBMITTED = "submitted"

    def __str__(self) -> str:
        return str(self.value)
