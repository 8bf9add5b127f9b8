"""`/documents/{id}`: a calculation package as raw PDF bytes; `/projects/{id}/documents` lists.

The PDF body is not in the envelope (it is not JSON); errors are. The bytes come from
document-service over the broker, in chunks, so a large document never needs one huge reply.
"""

import base64
import re

from aiohttp import web

from apex_contracts import documents as d
from apex_contracts import projects as c
from apex_contracts import topology as t

from ..call import Api, Call
from ..envelope import ApiError, respond
from ..openapi import Link, Operation
from ..queries import ask
from ..validation import path_uuid, validated

api = Api()

CHUNK_BYTES = 4 * 1024 * 1024  # per query reply (base64 on the wire)
_DOCUMENT_ID = re.compile(d.DOCUMENT_ID_PATTERN)
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")


def _document_id(request: web.Request) -> str:
    document_id = request.match_info["document_id"]
    if not _DOCUMENT_ID.match(document_id):  # not a SHA-256: names nothing that exists
        raise ApiError(404, "document not found", type="not_found")
    return document_id


def _chunk(document_id: str, offset: int) -> d.GetDocumentContent:
    return d.GetDocumentContent(
        document_id=document_id, max_bytes=CHUNK_BYTES, offset=offset, chunked=True
    )


@api.operation(
    Operation("get", "/documents/{document_id}",
              "Download a calculation package (PDF; ETag and id are its SHA-256)", "viewer",
              None, errors=(404, 503, 504), media_type=d.PDF),
)  # fmt: skip
async def download_document(call: Call) -> web.StreamResponse:
    request = call.request
    document_id = _document_id(request)
    etag = f'"{document_id}"'
    if request.headers.get("If-None-Match") == etag:  # still 404 for another account's id
        await ask(call, t.DOCUMENT_GET, d.GetDocument(document_id=document_id))
        return web.Response(status=304, headers={"ETag": etag})
    first = d.DocumentContent.model_validate(
        await ask(call, t.DOCUMENT_GET_CONTENT, _chunk(document_id, 0))
    )
    doc = first.document
    headers = {
        "ETag": etag,
        "Content-Disposition": f'attachment; filename="{_UNSAFE.sub("_", doc.filename)}"',
        "Cache-Control": "private, max-age=3600",
        "X-Content-Type-Options": "nosniff",
    }
    body = base64.b64decode(first.content_b64 or "")
    if first.next_offset is None:
        return web.Response(body=body, content_type=d.PDF, headers=headers)
    response = web.StreamResponse(headers={**headers, "Content-Type": d.PDF})
    response.content_length = doc.size_bytes
    await response.prepare(request)
    await response.write(body)
    offset: int | None = first.next_offset
    while offset is not None:
        part = d.DocumentContent.model_validate(
            await ask(call, t.DOCUMENT_GET_CONTENT, _chunk(document_id, offset))
        )
        await response.write(base64.b64decode(part.content_b64 or ""))
        offset = part.next_offset
    await response.write_eof()
    return response


@api.operation(
    Operation("get", "/projects/{project_id}/documents",
              "List a project's calculation packages, newest first", "viewer", d.DocumentPage,
              query=d.DocumentPageQuery, errors=(404, 422, 503, 504),
              links=(Link("DownloadNewest", "get", "/documents/{document_id}",
                          {"document_id": "$response.body#/result/items/0/document_id"},
                          (200,)),)),
)  # fmt: skip
async def list_documents(call: Call) -> web.Response:
    project_id = path_uuid(call.request, "project_id", "project")
    page = validated(d.DocumentPageQuery, dict(call.request.query))
    await ask(call, t.PROJECT_GET, c.GetProject(project_id=project_id))  # 404: not the account's
    query = d.ListDocuments(project_id=project_id, limit=page.limit, cursor=page.cursor)
    return respond(await ask(call, t.DOCUMENT_LIST, query))
