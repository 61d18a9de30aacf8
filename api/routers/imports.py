"""Bulk import of an interchange dataset over HTTP (staff).

The request is ``multipart/form-data`` with two files, ``nodes`` and ``relationships``
(JSON Lines, gzip accepted: detected by its magic bytes). The key is checked before the body
is read; the parts are streamed to temporary files (spooled to disk, never held whole in
memory) and handed to :func:`graph_schema.interchange.import_dataset`, with the same
validation, limits and atomicity as ``matchmaking import``: one transaction, all or nothing.
The answer is the import report: 200 when every line was valid, otherwise 422 problem+json
carrying the same report fields (``written`` says whether the valid lines were written, with
``skip_invalid=true``). A file that decompresses to more than
``MATCHMAKING_IMPORT_MAX_FILE_BYTES`` gives 413; a line longer than
``MATCHMAKING_IMPORT_MAX_LINE_BYTES`` is a line error (422); a clash with a concurrent write
gives 409, and nothing is written.

Uploads are saved under a dedicated folder (``MATCHMAKING_IMPORT_DIR``, default
``$TMPDIR/matchmaking-imports``), one sub-folder per import named after the process id;
:func:`clean_stale_uploads` removes those of dead processes at startup.
"""

import logging
import os
import shutil
import tempfile
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException

from graph_schema.errors import LimitExceeded
from graph_schema.interchange import ReadLimits, import_dataset

from ..auth import require_staff
from ..deps import PrincipalDep, StoreDep
from ..errors import ApiProblem, problem_response, problem_responses
from ..schemas import ImportResult
from ..settings import Settings

log = logging.getLogger("api")

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


def upload_dir(settings: Settings) -> Path:
    """The dedicated folder for uploaded imports (created if missing)."""
    base = Path(settings.import_dir or Path(tempfile.gettempdir()) / "matchmaking-imports")
    base.mkdir(parents=True, exist_ok=True)
    return base


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def clean_stale_uploads(settings: Settings) -> int:
    """Remove the upload folders left by crashed processes; return how many were removed.

    A folder is named ``<pid>-<random>``; it is stale when no process has that id (folders
    of live processes, e.g. the other workers of this server, are kept).
    """
    removed = 0
    for entry in upload_dir(settings).iterdir():
        pid, _, _ = entry.name.partition("-")
        if entry.is_dir() and pid.isdigit() and int(pid) != os.getpid() and not _alive(int(pid)):
            shutil.rmtree(entry, ignore_errors=True)
            removed += 1
    if removed:
        log.info("removed %d upload folder(s) left by crashed imports", removed)
    return removed


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
        settings: Settings = request.app.state.settings
        limits = ReadLimits(max_line_bytes=settings.import_max_line_bytes,
                            max_file_bytes=settings.import_max_file_bytes)
        with tempfile.TemporaryDirectory(prefix=f"{os.getpid()}-",
                                         dir=upload_dir(settings)) as tmp:
            folder = Path(tmp)
            for stem, upload in uploads.items():
                assert isinstance(upload, UploadFile)
                await run_in_threadpool(_save, upload, folder, stem)
            try:
                report = await run_in_threadpool(
                    import_dataset, store, folder, skip_invalid=skip_invalid, limits=limits
                )
            except LimitExceeded as e:
                raise ApiProblem(413, f"{e}; nothing was written", slug="too-large") from None
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
