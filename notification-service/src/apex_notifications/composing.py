"""The PM's email: addresses checked, headers that user text cannot extend, two parts, a PDF.

Pure code: no SMTP, no broker. Every header value goes through `header_value`, which refuses
CR and LF; user text meant for a header (the project name in the subject) is first folded to
one line, so a hostile name changes the subject's words but never adds a header.
"""

import re
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import formataddr, formatdate, parseaddr

from email_validator import EmailNotValidError, validate_email
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

_TEMPLATES = Environment(
    loader=PackageLoader("apex_notifications", "templates"),
    autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=True),
    undefined=StrictUndefined,
    keep_trailing_newline=True,
)
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u0085\u2028\u2029]+")
_FILENAME_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
MAX_SUBJECT_NAME = 120


class InvalidAddress(ValueError):
    """An address that cannot be mailed: malformed, or carrying a line break."""


class UnsafeHeader(ValueError):
    """A header value with CR or LF: it would start a new header."""


def header_value(text: str) -> str:
    """`text` as a header value; refuses CR and LF outright instead of cleaning them."""
    if "\r" in text or "\n" in text:
        raise UnsafeHeader("a header value may not contain CR or LF")
    return text


def one_line(text: str, limit: int = MAX_SUBJECT_NAME) -> str:
    """User text folded to one line for a header: control characters become one space."""
    folded = _CONTROL.sub(" ", text).strip()
    return folded if len(folded) <= limit else folded[: limit - 1].rstrip() + "…"


def mailbox(address: str) -> str:
    """A deliverable-looking address, normalised; `InvalidAddress` otherwise (no DNS lookup)."""
    if "\r" in address or "\n" in address:
        raise InvalidAddress("the address contains a line break")
    try:
        return validate_email(address, check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise InvalidAddress(f"{address!r} is not a valid email address: {exc}") from exc


def sender(configured: str) -> Address:
    """The configured `From` (`Name <addr>` or a bare address), validated."""
    name, addr = parseaddr(header_value(configured))
    username, domain = mailbox(addr).rsplit("@", 1)
    return Address(display_name=one_line(name), username=username, domain=domain)


@dataclass(frozen=True)
class PackageEmail:
    """What the PM's email says about one submission's calculation package."""

    recipient: str
    project_name: str
    submission_number: int
    submitted_by: str
    document_id: str
    pages: int
    size_bytes: int
    download_url: str
    submission_id: str
    pdf: bytes | None  # None: over the attachment limit, the email links to it instead
    limit_bytes: int

    @property
    def subject(self) -> str:
        name = one_line(self.project_name)
        return f"Calculation package: {name} (submission #{self.submission_number})"

    @property
    def filename(self) -> str:
        stem = _FILENAME_UNSAFE.sub("-", one_line(self.project_name, 60)).strip("-.") or "project"
        return f"{stem}-submission-{self.submission_number}.pdf"


def human_size(size: int) -> str:
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size / (1024 * 1024):.1f} MB"


def build_email(email: PackageEmail, from_: str) -> EmailMessage:
    """The message: text and HTML alternatives and, within the limit, the PDF attached."""
    recipient = mailbox(email.recipient)
    origin = sender(from_)
    context = {
        "subject": email.subject,
        "project_name": email.project_name,
        "submission_number": email.submission_number,
        "submitted_by": email.submitted_by,
        "document_id": email.document_id,
        "pages": email.pages,
        "size": human_size(email.size_bytes),
        "limit": human_size(email.limit_bytes),
        "download_url": email.download_url,
        "attached": email.pdf is not None,
    }
    message = EmailMessage(policy=SMTP)
    message["From"] = header_value(str(origin))
    message["To"] = header_value(formataddr(("", recipient)))
    message["Subject"] = header_value(email.subject)
    message["Date"] = formatdate(usegmt=True)
    # The same id on every attempt: a receiver that saw it already can drop a duplicate.
    message["Message-ID"] = header_value(f"<submission-{email.submission_id}@{origin.domain}>")
    message["X-Apex-Document-Id"] = header_value(email.document_id)
    message.set_content(_TEMPLATES.get_template("package_email.txt").render(context))
    message.add_alternative(
        _TEMPLATES.get_template("package_email.html").render(context), subtype="html"
    )
    if email.pdf is not None:
        message.add_attachment(
            email.pdf, maintype="application", subtype="pdf", filename=email.filename
        )
    return message
