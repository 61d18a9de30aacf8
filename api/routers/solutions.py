"""``/solutions``: the Solution entity (who may change one: :mod:`api.routers.entities`)."""

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Path, Response, status

from graph_schema.schema import Label, SolutionCategory

from ..deps import PrincipalDep, ServiceDep
from ..errors import problem_responses
from ..schemas import SolutionCreate, SolutionPublic, SolutionsPublic, SolutionUpdate
from . import entities
from .entities import Limit, NameQuery, Offset

router = APIRouter(prefix="/solutions", tags=["solutions"], responses=entities.RESPONSES)
SolutionId = Annotated[str, Path(description="Solution id", max_length=128)]
NOT_FOUND = problem_responses(404)


@router.get("", response_model=SolutionsPublic, response_model_exclude_none=True,
            summary="List solutions", description=entities.list_description("solutions"))
def list_solutions(
    principal: PrincipalDep, service: ServiceDep, limit: Limit = 50, offset: Offset = 0,
    q: NameQuery = None, category: SolutionCategory | None = None,
    cost: Literal["low", "medium", "high"] | None = None,
    maturity: Literal["pilot", "proven", "scaled"] | None = None,
) -> dict[str, Any]:
    return entities.list_page(principal, service, Label.SOLUTION, limit=limit, offset=offset,
                              q=q, category=category, cost=cost, maturity=maturity)


@router.get("/{id}", response_model=SolutionPublic, response_model_exclude_none=True,
            summary="Read one solution", responses=NOT_FOUND)
def read_solution(principal: PrincipalDep, service: ServiceDep, id: SolutionId
                  ) -> dict[str, Any]:
    return entities.read(principal, service, Label.SOLUTION, id)


@router.post("", response_model=SolutionPublic, response_model_exclude_none=True,
             status_code=status.HTTP_201_CREATED, summary="Create a solution",
             responses=problem_responses(409))
def create_solution(
    principal: PrincipalDep, service: ServiceDep,
    body: Annotated[SolutionCreate, Body()],  # type: ignore[valid-type]
) -> dict[str, Any]:
    return entities.create(principal, service, Label.SOLUTION, body)


@router.patch("/{id}", response_model=SolutionPublic, response_model_exclude_none=True,
              summary="Change a solution", responses=NOT_FOUND)
def update_solution(
    principal: PrincipalDep, service: ServiceDep, id: SolutionId,
    body: Annotated[SolutionUpdate, Body()],  # type: ignore[valid-type]
) -> dict[str, Any]:
    return entities.update(principal, service, Label.SOLUTION, id, body)


@router.delete("/{id}", status_code=status.HTTP_204_NO_CONTENT, response_class=Response,
               summary="Delete a solution and its relationships", responses=NOT_FOUND)
def delete_solution(principal: PrincipalDep, service: ServiceDep, id: SolutionId) -> Response:
    return entities.delete(principal, service, Label.SOLUTION, id)
