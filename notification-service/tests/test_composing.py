"""The PM's email without any server: parts, attachment, escaping, header injection."""

from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default

import pytest

from apex_notifications.composing import (
    InvalidAddress,
    PackageEmail,
    UnsafeHeader,
    build_email,
    header_value,
    mailbox,
    one_line,
)

PDF = b"%PDF-1.4\n% a tiny stand-in\n%%EOF\n"
FROM = "APEX <noreply@apex.example.com>"


def draft(**changes: object) -> PackageEmail:
    fields: dict[str, object] = {
        "recipient": "pm@example.com",
        "project_name": "Main St pylon",
        "submission_number": 3,
        "submitted_by": "dev",
        "document_id": "ab" * 32,
        "pages": 4,
        "size_bytes": len(PDF),
        "download_url": "http://127.0.0.1:8080/documents/" + "ab" * 32,
        "submission_id": "6f1c0f43-8a51-4a4f-9d0b-3f3f1f0d2a11",
        "pdf": PDF,
        "limit_bytes": 10 * 1024 * 1024,
    }
    fields.update(changes)
    return PackageEmail(**fields)  # type: ignore[arg-type]


def on_the_wire(message: EmailMessage) -> EmailMessage:
    """What the receiver parses: the message serialised and read back."""
    parsed = message_from_bytes(message.as_bytes(), policy=default)
    assert isinstance(parsed, EmailMessage)
    return parsed


def test_email_has_recipient_subject_text_html_and_the_pdf() -> None:
    message = on_the_wire(build_email(draft(), FROM))
    assert message["To"] == "pm@example.com"
    assert message["Subject"] == "Calculation package: Main St pylon (submission #3)"
    submission = "6f1c0f43-8a51-4a4f-9d0b-3f3f1f0d2a11"
    assert message["Message-ID"] == f"<submission-{submission}@apex.example.com>"
    text = message.get_body(("plain",))
    html = message.get_body(("html",))
    assert text is not None and "Main St pylon" in text.get_content()
    assert html is not None and "<strong>Main St pylon</strong>" in html.get_content()
    [attachment] = list(message.iter_attachments())
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_filename() == "Main-St-pylon-submission-3.pdf"
    assert attachment.get_content() == PDF


def test_a_pdf_over_the_limit_is_linked_not_attached() -> None:
    message = on_the_wire(build_email(draft(pdf=None, size_bytes=12 * 1024 * 1024), FROM))
    assert list(message.iter_attachments()) == []
    for kind in ("plain", "html"):
        part = message.get_body((kind,))
        assert part is not None
        assert "http://127.0.0.1:8080/documents/" + "ab" * 32 in part.get_content()
        assert "12.0 MB" in part.get_content()


def test_html_in_a_project_name_is_escaped_in_the_html_part() -> None:
    name = '<img src="file:///etc/passwd"><script>alert(1)</script>'
    message = on_the_wire(build_email(draft(project_name=name), FROM))
    html = message.get_body(("html",))
    assert html is not None
    content = html.get_content()
    assert "<script>" not in content and "<img" not in content
    assert "&lt;script&gt;" in content


def test_crlf_in_a_project_name_adds_no_header() -> None:
    name = "Evil\r\nBcc: victim@example.org\r\nX-Injected: yes"
    message = on_the_wire(build_email(draft(project_name=name), FROM))
    assert message["Bcc"] is None and message["X-Injected"] is None
    assert message["Subject"] == (
        "Calculation package: Evil Bcc: victim@example.org X-Injected: yes (submission #3)"
    )
    assert message.get_all("To") == ["pm@example.com"]


def test_crlf_in_an_address_is_refused() -> None:
    with pytest.raises(InvalidAddress):
        build_email(draft(recipient="pm@example.com\r\nBcc: victim@example.org"), FROM)
    with pytest.raises(InvalidAddress):
        mailbox("pm@example.com\nBcc: victim@example.org")


@pytest.mark.parametrize("address", ["", "no-at-sign", "pm@", "@example.com", "a b@example.com"])
def test_malformed_addresses_are_refused(address: str) -> None:
    with pytest.raises(InvalidAddress):
        mailbox(address)


def test_header_values_refuse_line_breaks() -> None:
    assert header_value("fine") == "fine"
    for bad in ("a\rb", "a\nb", "a\r\nBcc: x@example.org"):
        with pytest.raises(UnsafeHeader):
            header_value(bad)


def test_one_line_folds_control_characters_and_caps_length() -> None:
    assert one_line("a\r\n\tb\x00c") == "a b c"
    assert len(one_line("x" * 500)) == 120
