"""Feedback on recommendations, stored as ``subject -[FEEDBACK]-> candidate``.

The engine reads it: declined pairs are not suggested again, accepted ones are positives.
Staff may give and read any feedback; a bound key gives feedback only as its own subject
and reads only its own.
"""

from typing import Annotated

from fastapi import APIRouter, Query, status

from graph_schema.schema import Rel

from ..auth import forbidden
from ..deps import PrincipalDep, ServiceDep
from ..errors import problem_responses
from ..schemas import FeedbackCreate, FeedbackPublic, FeedbacksPublic, Kind, Verdict

router = APIRouter(prefix="/feedback", tags=["feedback"],
                   responses=problem_responses(401, 403, 422, 429, 503))
IdQuery = Annotated[str | None, Query(max_length=128)]


def _public(rel: Rel) -> FeedbackPublic:
    p = rel.props
    return FeedbackPublic(
        subject=rel.src, candidate=rel.dst, kind=str(p.get("kind", "")),
        verdict=str(p.get("verdict", "")), note=p.get("note"), at=p.get("at"),
    )


@router.post("", response_model=FeedbackPublic, status_code=status.HTTP_201_CREATED,
             summary="Give feedback on a recommended candidate",
             responses=problem_responses(404))
def give_feedback(
    principal: PrincipalDep, service: ServiceDep, body: FeedbackCreate
) -> FeedbackPublic:
    if not (principal.is_staff or principal.is_self(body.subject)):
        raise forbidden(f"this key may only give feedback as '{principal.subject}'")
    rel = service.give_feedback(body.subject, body.candidate, body.kind, body.verdict, body.note,
                                see_hidden=principal.is_staff)
    return _public(rel)


@router.get("", response_model=FeedbacksPublic, summary="List feedback")
def list_feedback(
    principal: PrincipalDep,
    service: ServiceDep,
    subject: IdQuery = None,
    candidate: IdQuery = None,
    kind: Kind | None = None,
    verdict: Verdict | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> FeedbacksPublic:
    if not principal.is_staff:
        if subject is not None and not principal.is_self(subject):
            raise forbidden("this key may only read its own feedback")
        subject = principal.subject or ""
    rels = service.feedback(subject=subject, candidate=candidate, kind=kind, verdict=verdict)
    page = [_public(r) for r in rels[offset : offset + limit]]
    return FeedbacksPublic(data=page, count=len(rels))
