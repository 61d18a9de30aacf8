"""Request and response schemas.

Entity schemas are derived from the property models of :mod:`graph_schema.schema`, so the
validation rules (types, ranges, ISO codes) are defined once: ``CityCreate`` is
``CityProps`` plus an ``id``; ``CityUpdate`` has the same fields, all optional (``null``
removes a property, as in JSON merge patch); ``CityPublic`` is what the API returns.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, create_model
from pydantic.fields import FieldInfo

from graph_schema.schema import (
    ID_PATTERN,
    CityProps,
    ExpertInProps,
    ImplementedProps,
    MeasuresProps,
    MemberProps,
    NeedsProps,
    PrioritizesProps,
    Props,
    ProviderProps,
    SolutionProps,
    TopicProps,
    Verdict,
    WorksForProps,
)
from matchmaking.keys import Role
from matchmaking.kinds import CityKind, Kind

__all__ = ["CityKind", "Kind", "Verdict"]  # re-exported for the routers

EntityId = Annotated[str, Field(pattern=ID_PATTERN.pattern, min_length=1, max_length=128,
                                examples=["city:aarhus"])]
Scalar = str | int | float | bool
PropValue = Scalar | list[str | int | float]


def _with_meta(f: FieldInfo) -> Any:
    return Annotated[(f.annotation, *f.metadata)] if f.metadata else f.annotation


def _create(name: str, props: type[Props]) -> type[BaseModel]:
    return create_model(name, __base__=props, id=(EntityId, ...))


def _update(name: str, props: type[Props]) -> type[BaseModel]:
    fields: dict[str, Any] = {
        n: (_with_meta(f) | None, Field(None, description=f.description))
        for n, f in props.model_fields.items()
    }
    model: type[BaseModel] = create_model(name, __base__=props, **fields)
    model.__doc__ = (
        f"Changes to a {name.removesuffix('Update')}: only the given properties change; "
        "null removes one."
    )
    return model


class _Public(BaseModel):
    model_config = ConfigDict(extra="allow")


def _public(name: str, props: type[Props]) -> type[BaseModel]:
    fields: dict[str, Any] = {"id": (str, ...)}
    for n, f in props.model_fields.items():
        ann = _with_meta(f)
        fields[n] = (ann, ...) if f.is_required() else (ann | None, None)
    return create_model(name, __base__=_Public, **fields)


def _page(name: str, item: type[BaseModel]) -> type[BaseModel]:
    return create_model(name, data=(list[item], ...), count=(int, ...))  # type: ignore[valid-type]


ENTITY_PROPS: dict[str, type[Props]] = {
    "City": CityProps,
    "Provider": ProviderProps,
    "Solution": SolutionProps,
    "Member": MemberProps,
    "Topic": TopicProps,
}
PLURALS = {"City": "Cities", "Provider": "Providers", "Solution": "Solutions",
           "Member": "Members", "Topic": "Topics"}

CityCreate = _create("CityCreate", CityProps)
CityUpdate = _update("CityUpdate", CityProps)
CityPublic = _public("CityPublic", CityProps)
CitiesPublic = _page("CitiesPublic", CityPublic)
ProviderCreate = _create("ProviderCreate", ProviderProps)
ProviderUpdate = _update("ProviderUpdate", ProviderProps)
ProviderPublic = _public("ProviderPublic", ProviderProps)
ProvidersPublic = _page("ProvidersPublic", ProviderPublic)
SolutionCreate = _create("SolutionCreate", SolutionProps)
SolutionUpdate = _update("SolutionUpdate", SolutionProps)
SolutionPublic = _public("SolutionPublic", SolutionProps)
SolutionsPublic = _page("SolutionsPublic", SolutionPublic)
MemberCreate = _create("MemberCreate", MemberProps)
MemberUpdate = _update("MemberUpdate", MemberProps)
MemberPublic = _public("MemberPublic", MemberProps)
MembersPublic = _page("MembersPublic", MemberPublic)
TopicCreate = _create("TopicCreate", TopicProps)
TopicUpdate = _update("TopicUpdate", TopicProps)
TopicPublic = _public("TopicPublic", TopicProps)
TopicsPublic = _page("TopicsPublic", TopicPublic)

#: (create, update, public, page) per label name.
ENTITY_SCHEMAS: dict[str, tuple[type[BaseModel], ...]] = {
    "City": (CityCreate, CityUpdate, CityPublic, CitiesPublic),
    "Provider": (ProviderCreate, ProviderUpdate, ProviderPublic, ProvidersPublic),
    "Solution": (SolutionCreate, SolutionUpdate, SolutionPublic, SolutionsPublic),
    "Member": (MemberCreate, MemberUpdate, MemberPublic, MembersPublic),
    "Topic": (TopicCreate, TopicUpdate, TopicPublic, TopicsPublic),
}


# --------------------------------------------------------------------------- relationships


class ImplementationProps(ImplementedProps):
    """Properties of City -[IMPLEMENTED]-> Solution."""


class NeedProps(NeedsProps):
    """Properties of City -[NEEDS]-> Topic."""


class PriorityProps(PrioritizesProps):
    """Properties of City -[PRIORITIZES]-> SDG."""


class MeasurementProps(MeasuresProps):
    """Properties of City -[MEASURES]-> KPI (``value`` is required)."""


class ExpertiseProps(ExpertInProps):
    """Properties of Member -[EXPERT_IN]-> Topic."""


class AffiliationProps(WorksForProps):
    """Properties of Member -[WORKS_FOR]-> City or Provider."""


class OfferProps(Props):
    """Provider -[OFFERS]-> Solution has no properties of its own."""


class LinkPublic(BaseModel):
    """A relationship from the parent to ``target``, with its properties."""

    target: str
    target_label: str
    target_name: str | None = None
    properties: dict[str, PropValue] = Field(default_factory=dict)


class LinksPublic(BaseModel):
    data: list[LinkPublic]
    count: int


# --------------------------------------------------------------------------- recommendations


class RecommendationPublic(BaseModel):
    """One recommended candidate with its score, score components and reasons."""

    id: str
    label: str
    name: str | None = None
    score: float
    components: dict[str, float] = Field(default_factory=dict)
    reasons: list[str] = Field(default_factory=list)


class RecommendationsPublic(BaseModel):
    subject: str
    kind: Kind
    data: list[RecommendationPublic]
    count: int


# --------------------------------------------------------------------------- feedback


class FeedbackCreate(BaseModel):
    """Feedback of ``subject`` on a recommended ``candidate``."""

    model_config = ConfigDict(extra="forbid")

    subject: EntityId
    candidate: EntityId
    kind: Kind
    verdict: Verdict
    note: Annotated[str, Field(max_length=2000)] | None = None


class FeedbackPublic(BaseModel):
    subject: str
    candidate: str
    kind: str
    verdict: str
    note: str | None = None
    at: str | None = None


class FeedbacksPublic(BaseModel):
    data: list[FeedbackPublic]
    count: int


# --------------------------------------------------------------------------- reference, stats


class SDGPublic(BaseModel):
    id: str
    number: int
    name: str
    title: str | None = None


class SDGsPublic(BaseModel):
    data: list[SDGPublic]
    count: int


class CountryPublic(BaseModel):
    id: str
    code: str
    alpha3: str | None = None
    name: str
    region: str | None = None
    subregion: str | None = None


class CountriesPublic(BaseModel):
    data: list[CountryPublic]
    count: int


class KPIPublic(BaseModel):
    model_config = ConfigDict(extra="allow")

    id: str
    name: str | None = None
    code: str | None = None
    unit: str | None = None
    dimension: str | None = None
    category: str | None = None


class KPIsPublic(BaseModel):
    data: list[KPIPublic]
    count: int


class StatsPublic(BaseModel):
    nodes: dict[str, int]
    relationships: dict[str, int]
    generation: int


class ImportResult(BaseModel):
    """The import report (``ImportReport.to_json()``)."""

    ok: bool
    written: bool
    nodes_read: int
    rels_read: int
    nodes_written: int
    rels_written: int
    error_count: int
    errors: list[dict[str, str | int]]


class Health(BaseModel):
    status: Literal["ok"]


class KeyCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    role: Role
    subject: EntityId | None = None
    name: Annotated[str, Field(max_length=200)] = ""


class KeyPublic(BaseModel):
    key_id: str
    role: str
    subject: str | None = None
    name: str
    created: str
    revoked: bool


class KeyCreated(KeyPublic):
    key: str = Field(description="The full key; shown only in this response.")


class KeysPublic(BaseModel):
    data: list[KeyPublic]
    count: int
