"""The email use case: one email to the PM per submission, then `notification.email_sent`."""

from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage

from sqlalchemy import func, select

from apex_contracts import topology as t
from apex_contracts.documents import DocumentRendered
from apex_contracts.notifications import EmailSent
from apex_contracts.tasks import ErrorCode, TaskState
from apex_runtime.errors import DomainError, Invalid
from apex_runtime.settings import Settings
from apex_runtime.status_store import StatusStore
from apex_runtime.tasks import MessageContext
from apex_runtime.unit_of_work import Transaction, UnitOfWork

from .composing import InvalidAddress, PackageEmail, UnsafeHeader, build_email, mailbox
from .documents import DocumentSource
from .mailer import Mailer
from .tables import emails

EMAIL_CONSUMER = "notification.email_pm"


class Cancelled(DomainError):
    """The email's task was revoked while it was being prepared: nothing is sent."""

    def __init__(self, task_id: str) -> None:
        super().__init__(ErrorCode.CONFLICT, f"task {task_id} was cancelled; no email sent")


@dataclass(frozen=True)
class Mailing:
    """What the email use case needs, built once in `app.py`."""

    settings: Settings
    uow: UnitOfWork
    mailer: Mailer
    documents: DocumentSource
    status: StatusStore

    @property
    def limit_bytes(self) -> int:
        return int(self.settings.email_max_attachment_mb * 1024 * 1024)

    def download_url(self, path: str) -> str:
        if path.startswith(("http://", "https://")):
            return path
        return self.settings.public_base_url.rstrip("/") + "/" + path.lstrip("/")


def _lock_key(event: DocumentRendered) -> int:
    """A 64-bit advisory-lock key for the submission (one sender at a time per submission)."""
    return int.from_bytes(event.submission_id.bytes[:8], "big", signed=True)


async def email_package(event: DocumentRendered, ctx: MessageContext, m: Mailing) -> EmailSent:
    """Email the calculation package to the PM, once per submission whatever is redelivered."""
    if event.account != ctx.account:
        raise Invalid(f"document.rendered for account {event.account!r} sent as {ctx.account!r}")
    if not event.pm_email:
        raise Invalid(f"project {event.project_id} has no pm_email; nobody to email")
    try:
        recipient = mailbox(event.pm_email)
    except InvalidAddress as exc:
        raise Invalid(f"pm_email: {exc}") from exc
    async with m.uow.sessions() as session:
        earlier = (
            await session.execute(
                select(emails.c.result).where(emails.c.submission_id == event.submission_id)
            )
        ).scalar_one_or_none()
    if earlier is not None:
        return EmailSent.model_validate(earlier)
    attach = event.size_bytes <= m.limit_bytes
    pdf = await m.documents.content(event.document_id, ctx.account, ctx.actor) if attach else None
    draft = PackageEmail(
        recipient=recipient,
        project_name=event.project_name,
        submission_number=event.submission_number,
        submitted_by=event.submitted_by,
        document_id=event.document_id,
        pages=event.pages,
        size_bytes=event.size_bytes,
        download_url=m.download_url(event.url),
        submission_id=str(event.submission_id),
        pdf=pdf,
        limit_bytes=m.limit_bytes,
    )
    try:
        message = build_email(draft, m.settings.smtp_from)
    except (InvalidAddress, UnsafeHeader) as exc:
        raise Invalid(str(exc)) from exc

    async def send_once(tx: Transaction) -> EmailSent:
        # A duplicate event (another message id, same submission) waits here for the first.
        await tx.session.execute(select(func.pg_advisory_xact_lock(_lock_key(event))))
        sent = (
            await tx.session.execute(
                select(emails.c.result).where(emails.c.submission_id == event.submission_id)
            )
        ).scalar_one_or_none()
        if sent is not None:
            return EmailSent.model_validate(sent)
        await _still_wanted(event, m.status)
        return await _send_and_record(tx, event, ctx, message, m)

    return await m.uow.once(ctx, EMAIL_CONSUMER, EmailSent, send_once)


async def _still_wanted(event: DocumentRendered, status: StatusStore) -> None:
    """A submission cancelled after its email task started sends nothing."""
    if event.email_task_id:
        task = await status.get(event.email_task_id)
        if task is not None and task.state is TaskState.REVOKED:
            raise Cancelled(event.email_task_id)


async def _send_and_record(
    tx: Transaction, event: DocumentRendered, ctx: MessageContext, message: EmailMessage, m: Mailing
) -> EmailSent:
    # SMTP inside the transaction: if the commit fails after the server took the message, the
    # retry sends it again with the same Message-ID (receivers drop it); the other order would
    # lose the email instead.
    await m.mailer.send(message)
    now = datetime.now(UTC)
    result = EmailSent(
        submission_id=event.submission_id,
        project_id=event.project_id,
        document_id=event.document_id,
        account=event.account,
        actor=ctx.actor or event.actor,
        recipient=str(message["To"]),
        subject=str(message["Subject"]),
        attached=any(True for _ in message.iter_attachments()),
        smtp_message_id=str(message["Message-ID"]),
        parent_task_id=event.parent_task_id,
        occurred_at=now,
    )
    await tx.session.execute(
        emails.insert().values(
            submission_id=event.submission_id,
            account=event.account,
            project_id=event.project_id,
            document_id=event.document_id,
            recipient=result.recipient,
            subject=result.subject,
            attached=result.attached,
            smtp_message_id=result.smtp_message_id,
            task_id=event.email_task_id,
            result=result.model_dump(mode="json"),
            sent_at=now,
        )
    )
    await tx.emit(t.NOTIFICATION_EMAIL_SENT, result, str(event.project_id))
    return result
