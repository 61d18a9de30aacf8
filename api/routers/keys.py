"""Admin endpoints for API keys (the CLI offers the same: ``matchmaking keys ...``).

Revoking here drops the key from this worker's cache at once; other workers stop accepting
it within ``MATCHMAKING_KEY_CACHE_SECONDS``.
"""

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Path, Request, status

from matchmaking import keys as keymod

from ..auth import require_admin
from ..deps import PrincipalDep, StoreDep
from ..errors import problem_responses
from ..schemas import BoundKeyCreate, KeyCreate, KeyCreated, KeyPublic, KeysPublic

router = APIRouter(prefix="/keys", tags=["keys"],
                   responses=problem_responses(401, 403, 422, 429, 503))


@router.post("", response_model=KeyCreated, status_code=status.HTTP_201_CREATED,
             summary="Create a key (admin); the key is in this response only",
             responses=problem_responses(404))
def create_key(principal: PrincipalDep, store: StoreDep, body: KeyCreate) -> KeyCreated:
    require_admin(principal)
    subject = body.subject if isinstance(body, BoundKeyCreate) else None
    days = body.expires_in_days
    record, key = keymod.create_key(store, body.role, subject, body.name,
                                    timedelta(days=days) if days else None)
    return KeyCreated(**record.to_json(), key=key)


@router.get("", response_model=KeysPublic, summary="List keys (admin); never the secrets")
def list_keys(principal: PrincipalDep, store: StoreDep) -> KeysPublic:
    require_admin(principal)
    data = [KeyPublic(**k.to_json()) for k in keymod.list_keys(store)]
    return KeysPublic(data=data, count=len(data))


@router.delete("/{key_id}", response_model=KeyPublic, summary="Revoke a key (admin)",
               responses=problem_responses(404))
def revoke_key(
    principal: PrincipalDep, store: StoreDep, request: Request,
    key_id: Annotated[str, Path(pattern=r"^[0-9a-f]{12}$")],
) -> KeyPublic:
    require_admin(principal)
    record = keymod.revoke_key(store, key_id)
    request.app.state.keys.forget(record.key_id)
    return KeyPublic(**record.to_json())
