"""The calculation package's bytes, asked of document-service with `document.get_content`."""

import base64
import hashlib

from apex_contracts import topology as t
from apex_contracts.documents import CONTENT_MAX_BYTES, DocumentContent, GetDocumentContent
from apex_contracts.tasks import ErrorCode
from apex_runtime.amqp_client import BrokerClient
from apex_runtime.errors import DomainError, NotFound


class DocumentUnavailable(Exception):
    """document-service did not hand the bytes over this time (retry later)."""


class DocumentSource:
    """Reads PDFs over the broker: many queries in flight on the service's query client."""

    def __init__(self, client: BrokerClient, timeout_s: float) -> None:
        self.client = client
        self.timeout_s = timeout_s

    async def content(self, document_id: str, account: str, actor: str) -> bytes:
        """The whole PDF, read in chunks, checked against its id (the SHA-256 of its bytes)."""
        headers = {t.HEADER_ACCOUNT: account, t.HEADER_ACTOR: actor}
        chunks: list[bytes] = []
        offset: int | None = 0
        while offset is not None:
            query = GetDocumentContent(
                document_id=document_id, max_bytes=CONTENT_MAX_BYTES, offset=offset, chunked=True
            )
            reply = await self.client.query(
                t.DOCUMENT_GET_CONTENT,
                query.model_dump_json().encode(),
                headers=headers,
                timeout_s=self.timeout_s,
            )
            if not reply.ok:
                assert reply.error is not None
                if reply.error.code is ErrorCode.NOT_FOUND:
                    raise NotFound(f"document {document_id} not found: {reply.error.message}")
                if reply.error.code is ErrorCode.INVALID:
                    raise DomainError(ErrorCode.INVALID, reply.error.message)
                raise DocumentUnavailable(f"document.get_content: {reply.error.message}")
            part = DocumentContent.model_validate(reply.result)
            if part.content_b64 is None:
                raise DocumentUnavailable(f"document {document_id} came without content")
            chunks.append(base64.b64decode(part.content_b64))
            offset = part.next_offset
        pdf = b"".join(chunks)
        if hashlib.sha256(pdf).hexdigest() != document_id:
            raise DocumentUnavailable(f"document {document_id} arrived with other bytes")
        return pdf
