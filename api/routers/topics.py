"""``/topics``: the Topic entity (access rules: :mod:`api.routers.entities`)."""

from typing import Annotated, Any

from fastapi import APIRouter, Body, Path, Response, status

from graph_schema.schema import Label

from ..deps import PrincipalDep, ServiceDep
from ..errors import problem_responses
from ..schemas import TopicCreate, TopicPublic, TopicsPublic, TopicUpdate
from . import entities
from .entities import Limit, NameQuery, Offset

router = APIRouter(prefix="/topics", tags=["topics"], responses=entities.RESPONSES)
TopicId = Annotated[str, Path(description="Topic id", max_length=128)]
NOT_FOUND = problem_responses(404)


@router.get("", response_model=TopicsPublic, response_model_exclude_none=True,
            summary="List topics", description=entities.list_description("topics"))
def list_topics(
    principal: PrincipalDep, service: ServiceDep, limit: Limit = 50, offset: Offset = 0,
    q: NameQuery = None,
) -> dict[str, Any]:
    return entities.list_page(principal, service, Label.TOPIC, limit=limit, offset=offset, q=q)


@router.get("/{id}", response_model=TopicPublic, response_model_exclude_none=True,
            summary="Read one topic", responses=NOT_FOUND)
def read_topic(principal: PrincipalDep, service: ServiceDep, id: TopicId) -> dict[str, Any]:
    return entities.read(principal, service, Label.TOPIC, id)


@router.post("", response_model=TopicPublic, response_model_exclude_none=True,
             status_code=status.HTTP_201_CREATED, summary="Create a topic",
             responses=problem_responses(409))
def create_topic(
    principal: PrincipalDep, service: ServiceDep,
    body: Annotated[TopicCreate, Body()],  # type: ignore[valid-type]
) -> dict[str, Any]:
    return entities.create(principal, service, Label.TOPIC, body)


@router.patch("/{id}", response_model=TopicPublic, response_model_exclude_none=True,
              summary="Change a topic", responses=NOT_FOUND)
def update_topic(
    principal: PrincipalDep, service: ServiceDep, id: TopicId,
    body: Annotated[TopicUpdate, Body()],  # type: ignore[valid-type]
) -> dict[str, Any]:
    return entities.update(principal, service, Label.TOPIC, id, body)


@router.delete("/{id}", status_code=status.HTTP_204_NO_CONTENT, response_class=Response,
               summary="Delete a topic and its relationships", responses=NOT_FOUND)
def delete_topic(principal: PrincipalDep, service: ServiceDep, id: TopicId) -> Response:
    return entities.delete(principal, service, Label.TOPIC, id)
