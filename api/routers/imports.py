"""Bulk import of an interchange dataset over HTTP (staff).

The request is ``multipart/form-data`` with two files, ``nodes`` and ``relationships``
(JSON Lines, gzip accepted: detected by its magic bytes). The key is checked before the body
is read; the parts are streamed to temporary files (spooled to disk, never held whole in
memory) and handed to :func:`graph_schema.interchange.import_dataset`, with the same
validation and atomicity as ``matchmaking import``. The answer is the import report: 200
when every line was valid, otherwise 422 problem+json carrying the same report fields
(``written`` says whether the valid lines were written, with ``skip_invalid=true``).
"""

import shutil
import tempfile
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException

from graph_schema.interchange import import_dataset

from ..auth import require_staff
from ..deps import PrincipalDep, StoreDep
from ..errors import ApiProblem, problem_response, problem_responses
from ..schemas import ImportResult

router = APIRouter(prefix="/imports", tags=["imports"],
                   responses=problem_responses(401, 403, 413, 415, 422, 429, 503))
GZIP_MAGIC = b"\x1f\x8b"
_FILE = {"type": "string", "format": "binary"}
REQUEST_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["nodes", "relationships"],
                    "properties": {"nodes": _FILE, "relationships": _FILE},
                }
            }
        },
    }
}


def _save(upload: UploadFile, folder: Path, stem: str) -> None:
    src = upload.file
    src.seek(0)
    head = src.read(2)
    src.seek(0)
    name = f"{stem}.jsonl.gz" if head == GZIP_MAGIC else f"{stem}.jsonl"
    with open(folder / name, "wb") as out:
        shutil.copyfileobj(src, out, length=1024 * 1024)


@router.post("", response_model=ImportResult, openapi_extra=REQUEST_BODY,
             summary="Import an interchange dataset (nodes and relationships JSONL files)")
async def create_import(
    request: Request,
    principal: PrincipalDep,
    store: StoreDep,
    skip_invalid: Annotated[bool, Query(description="write the valid lines anyway")] = False,
) -> Any:
    require_staff(principal)
    content_type = request.headers.get("content-type", "")
    if not content_type.startswith("multipart/form-data"):
        raise ApiProblem(
            415, "send multipart/form-data with the files 'nodes' and 'relationships'",
            slug="unsupported-media-type",
        )
    try:
        form = await request.form(max_files=2, max_fields=10)
    except (ApiProblem, HTTPException):
        raise
    except Exception as e:  # malformed multipart bodies
        raise ApiProblem(422, f"cannot read the multipart body: {type(e).__name__}",
                         slug="validation") from None
    try:
        uploads = {k: form.get(k) for k in ("nodes", "relationships")}
        missing = [k for k, v in uploads.items() if not isinstance(v, UploadFile)]
        if missing:
            raise ApiProblem(
                422, f"missing file part(s): {', '.join(missing)}; send 'nodes' and "
                "'relationships' as files", slug="validation",
            )
        with tempfile.TemporaryDirectory(prefix="mm-import-") as tmp:
            folder = Path(tmp)
            for stem, upload in uploads.items():
                assert isinstance(upload, UploadFile)
                await run_in_threadpool(_save, upload, folder, stem)
            report = await run_in_threadpool(
                import_dataset, store, folder, skip_invalid=skip_invalid
            )
    finally:
        await form.close()
    body = report.to_json()
    if report.ok:
        return JSONResponse(body)
    what = "the valid lines were written" if report.written else "nothing was written"
    return problem_response(
        422, f"{report.error_count} invalid lines; {what}", slug="import-invalid",
        instance=request.url.path, **body,
    )
