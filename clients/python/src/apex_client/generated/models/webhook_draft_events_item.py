from enum import StrEnum


class WebhookDraftEventsItem(StrEnum):
    DOCUMENT_RENDERED = "document.rendered"
    NOTIFICATION_EMAIL_SENT = "notification.email_sent"
    PROJECT_CREATED = "project.created"
    PROJECT_DELETED = "project.deleted"
    PROJECT_PAYLOAD_SAVED = "project.payload_saved"
    PROJECT_SUBMITTED = "project.submitted"
    PROJECT_UPDATED = "project.updated"

    def __str__(self) -> str:
        return str(self.value)
